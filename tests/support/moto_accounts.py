# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sessions in any account of a moto server.

moto keeps accounts apart by credentials: ``sts assume_role`` into ``arn:aws:iam::<account>:role/<any name>``
answers with credentials of that account, and every call made with them acts in it. So a test reaches account N
the way a hub-and-spoke fleet is reached, through a role in N (by default the admin role).

    iam = client(moto_url, "100000000001")                  # IAM in that account
    cfn = client(moto_url, "100000000001", "cloudformation")
    accounts = MotoAccounts(moto_url)                       # the same, one set of credentials per account, kept
"""

from __future__ import annotations

from .constants import ADMIN_ROLE, AWS_ACCESS_KEY, AWS_SECRET_KEY, REGION


def _boto3():
    import boto3  # pylint: disable=import-outside-toplevel

    return boto3


def base_client(moto_url, service, region=REGION):
    """A client of the moto server with its base credentials (the account moto starts in)."""
    return _boto3().client(service, endpoint_url=moto_url, region_name=region, aws_access_key_id=AWS_ACCESS_KEY,
                           aws_secret_access_key=AWS_SECRET_KEY)


def credentials(moto_url, account_id, role=ADMIN_ROLE, session_name="fleet", duration=None, sts=None):
    """The ``Credentials`` of an ``assume_role`` into ``role`` of the account (AccessKeyId, SecretAccessKey, SessionToken)."""
    kwargs = {"RoleArn": "arn:aws:iam::%s:role/%s" % (account_id, role), "RoleSessionName": session_name}
    if duration:
        kwargs["DurationSeconds"] = duration
    return (sts or base_client(moto_url, "sts")).assume_role(**kwargs)["Credentials"]


def client_with(moto_url, creds, service="iam", region=REGION):
    """A client acting with these assumed-role credentials."""
    return _boto3().client(service, endpoint_url=moto_url, region_name=region, aws_access_key_id=creds["AccessKeyId"],
                           aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])


def client(moto_url, account_id, service="iam", region=REGION, role=ADMIN_ROLE, session_name="fleet"):
    """A client of ``service`` acting in the account."""
    return client_with(moto_url, credentials(moto_url, account_id, role, session_name), service, region)


class MotoAccounts:
    """Clients in any account of one moto server, the credentials of each account assumed once and kept."""

    def __init__(self, moto_url, role=ADMIN_ROLE, session_name="fleet"):
        self.url = moto_url
        self.role = role
        self.session_name = session_name
        self._sts = None
        self._credentials = {}
        self._clients = {}

    def credentials(self, account_id):
        if account_id not in self._credentials:
            if self._sts is None:
                self._sts = base_client(self.url, "sts")
            self._credentials[account_id] = credentials(self.url, account_id, self.role, self.session_name, sts=self._sts)
        return self._credentials[account_id]

    def client(self, account_id, service="iam", region=REGION):
        """A client of ``service`` acting in the account (one per account, service and region)."""
        key = (account_id, service, region)
        if key not in self._clients:
            self._clients[key] = client_with(self.url, self.credentials(account_id), service, region)
        return self._clients[key]
