"""Local managed online endpoints: the Azure ML inference server around each deployment's
scoring script, behind one loopback gateway per endpoint that checks keys and splits traffic."""
