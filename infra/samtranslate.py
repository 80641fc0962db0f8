#!/usr/bin/env python3
"""Translate a SAM template into plain CloudFormation JSON, offline.

    python3 infra/samtranslate.py TEMPLATE --code-bucket BUCKET [--region REGION]

What `sam package` and CloudFormation's AWS::Serverless transform do before a
deployment, for a CloudFormation that has no SAM transform of its own (moto,
in internal/awstest): every AWS::Serverless::Function's CodeUri, a directory
such as functions/api/, becomes s3://BUCKET/functions/api.zip (the caller
uploads each function's code there; the key names the directory), then
aws-sam-translator expands the serverless resources. The output is the
translated template as JSON on stdout. Managed policies named rather than
given by ARN need IAM to resolve, so they are refused here.

aws-sam-translator comes with `pip install 'moto[server]==5.2.1'` (through
cfn-lint), which `make tools` runs.
"""

import argparse
import json
import os
import sys

from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicyNames(ManagedPolicyLoader):
    """Refuses to look managed policies up by name: that needs IAM."""

    def __init__(self):  # no IAM client
        pass

    def load(self):
        raise SystemExit("samtranslate: the template names a managed policy by name; give its ARN")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("template")
    p.add_argument("--code-bucket", required=True, help="the bucket the functions' code is uploaded to")
    p.add_argument("--region", default="us-east-1")
    a = p.parse_args()
    os.environ["AWS_DEFAULT_REGION"] = a.region  # the translator's AWS::Region
    with open(a.template) as f:
        tpl = yaml_parse(f.read())
    for res in tpl.get("Resources", {}).values():
        if res.get("Type") == "AWS::Serverless::Function":
            props = res.setdefault("Properties", {})
            props["CodeUri"] = "s3://%s/%s.zip" % (a.code_bucket, props["CodeUri"].strip("/"))
    json.dump(transform(tpl, {}, NoManagedPolicyNames()), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
