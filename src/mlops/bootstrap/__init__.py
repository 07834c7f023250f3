"""`mlops bootstrap`: turn the template's sample project into the user's, all or nothing."""
