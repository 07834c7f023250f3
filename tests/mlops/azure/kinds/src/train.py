import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--rows")
print(parser.parse_args())
