"""IAM side of the simulator: can the SWP principal assume a role with a given external ID?

Two parts:

* ``role_assumable(document, principal, external_id)``: a pure evaluation of a role's trust
  policy (``AssumeRolePolicyDocument``).  What it models:

  - a role is assumable when some ``Allow`` statement matches and no ``Deny`` statement does;
  - a statement matches when its ``Action`` (or ``NotAction``) covers ``sts:AssumeRole``
    (``*`` and ``?`` globs, case-insensitive), its ``Principal`` names the principal and its
    ``sts:ExternalId`` conditions hold;
  - ``Principal``: ``"*"``, a string, a list or ``{"AWS": str | list}``; an account ID
    ``"147995105371"`` equals ``"arn:aws:iam::147995105371:root"``, and an account root also
    covers any other principal (role, user) of that account.  ``NotPrincipal`` statements and
    ``Service``/``Federated`` principals never match;
  - conditions on ``sts:ExternalId`` (key case-insensitive): ``StringEquals``, ``StringLike``
    (``*``/``?`` globs), ``StringEqualsIgnoreCase``, their ``Not`` forms, the ``...IfExists``
    suffix, the ``ForAnyValue:``/``ForAllValues:`` prefixes and ``Null``; the value is a string or a
    list (any element may match).  A statement with no external-ID condition matches any ID.
    An unknown operator on ``sts:ExternalId`` does not match.
  - **every other condition key is ignored** (treated as satisfied): the simulator does not
    model ``aws:PrincipalOrgID``, MFA, source IP and the like.

* ``IamChecker``: reads the trust policy of a role from an IAM endpoint (a moto server) and
  evaluates it.  Moto keeps accounts apart by credentials, so the checker first assumes
  ``arn:aws:iam::<account>:role/...`` with its base credentials and reads the role with the
  credentials it gets back.  It can also delay the effect of trust-policy changes
  (``propagation_delay``) to model IAM's eventual consistency.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse

ROLE_ARN_RE = re.compile(r'^arn:(aws[a-zA-Z-]*):iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$')
ACCOUNT_RE = re.compile(r'^\d{12}$')
ROOT_ARN_RE = re.compile(r'^arn:aws[a-zA-Z-]*:iam::(\d{12}):root$')
PRINCIPAL_ARN_RE = re.compile(r'^arn:aws[a-zA-Z-]*:(?:iam|sts)::(\d{12}):')

EXTERNAL_ID_KEY = 'sts:externalid'
ASSUME_ROLE_ACTION = 'sts:AssumeRole'


class IamCheckError(Exception):
    """The IAM endpoint could not be used (not a policy decision)."""


def parse_role_arn(arn):
    """Return (account_id, role_name) of a role ARN, or None when it is not a role ARN."""
    if not isinstance(arn, str):
        return None
    match = ROLE_ARN_RE.match(arn)
    if not match:
        return None
    return match.group(2), match.group(3)


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def glob_to_regex(pattern, ignore_case=False):
    """Translate an IAM glob (``*`` any run, ``?`` one character) to a compiled regex."""
    parts = []
    for char in pattern:
        if char == '*':
            parts.append('.*')
        elif char == '?':
            parts.append('.')
        else:
            parts.append(re.escape(char))
    return re.compile('^' + ''.join(parts) + '$', re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def load_policy_document(document):
    """Return a trust policy as a dict; accepts a dict, a JSON string or a URL-encoded JSON string."""
    if document is None:
        return None
    if isinstance(document, dict):
        return document
    if isinstance(document, bytes):
        document = document.decode('utf-8')
    text = document.strip()
    if not text.startswith('{'):
        text = urllib.parse.unquote(text)
    return json.loads(text)


def _principal_account(principal):
    """Account ID of a principal given as an account ID or an ARN, else None."""
    if ACCOUNT_RE.match(principal):
        return principal
    match = PRINCIPAL_ARN_RE.match(principal)
    return match.group(1) if match else None


def _normalize_principal(principal):
    """An account ID and the account's root ARN are the same principal."""
    principal = principal.strip()
    if ACCOUNT_RE.match(principal):
        return 'arn:aws:iam::%s:root' % principal
    match = ROOT_ARN_RE.match(principal)
    if match:
        return 'arn:aws:iam::%s:root' % match.group(1)
    return principal


def principal_matches(entry, principal):
    """True when a trust-policy principal entry ``entry`` covers the principal ``principal``."""
    if not isinstance(entry, str):
        return False
    entry = entry.strip()
    if entry == '*':
        return True
    wanted = _normalize_principal(principal)
    normalized = _normalize_principal(entry)
    if normalized == wanted:
        return True
    # Trusting an account root delegates to every principal of that account.
    if normalized.endswith(':root'):
        return _principal_account(normalized) == _principal_account(wanted)
    return False


def statement_principal_matches(statement, principal):
    """True when the statement's ``Principal`` element names the principal."""
    if 'Principal' not in statement:
        return False
    value = statement['Principal']
    if value == '*':
        return True
    if isinstance(value, dict):
        entries = _as_list(value.get('AWS'))
    else:
        entries = _as_list(value)
    return any(principal_matches(entry, principal) for entry in entries)


def statement_action_matches(statement, action=ASSUME_ROLE_ACTION):
    """True when ``Action`` covers the action (or ``NotAction`` does not exclude it)."""
    if 'Action' in statement:
        return any(isinstance(pattern, str) and glob_to_regex(pattern, ignore_case=True).match(action)
                   for pattern in _as_list(statement['Action']))
    if 'NotAction' in statement:
        return not any(isinstance(pattern, str) and glob_to_regex(pattern, ignore_case=True).match(action)
                       for pattern in _as_list(statement['NotAction']))
    return False


def _string_test(base, values, external_id):
    """Evaluate a positive string operator (without Not/IfExists) for a present key."""
    for value in values:
        if not isinstance(value, str):
            value = str(value)
        if base == 'stringequals' and value == external_id:
            return True
        if base == 'stringequalsignorecase' and value.lower() == external_id.lower():
            return True
        if base == 'stringlike' and glob_to_regex(value).match(external_id):
            return True
    return False


def condition_operator_holds(operator, values, external_id):
    """Evaluate one condition operator on the ``sts:ExternalId`` key.

    ``external_id`` None means the key is absent from the request context.
    """
    op = operator.lower()
    for prefix in ('foranyvalue:', 'forallvalues:'):
        if op.startswith(prefix):
            op = op[len(prefix):]
    values = _as_list(values)
    if op == 'null':
        # Null: "true" means the key must be absent, "false" that it must be present.
        wanted_absent = any(str(v).lower() == 'true' for v in values)
        return (external_id is None) == wanted_absent
    if_exists = op.endswith('ifexists')
    if if_exists:
        op = op[:-len('ifexists')]
    negated = op.startswith('stringnot')
    base = 'string' + op[len('stringnot'):] if negated else op
    if base not in ('stringequals', 'stringequalsignorecase', 'stringlike'):
        return False
    if external_id is None:
        # An absent key: IfExists passes, negated operators pass, positive ones fail.
        return if_exists or negated
    result = _string_test(base, values, external_id)
    return not result if negated else result


def statement_condition_holds(statement, external_id):
    """True when every ``sts:ExternalId`` condition of the statement holds; other keys are ignored."""
    condition = statement.get('Condition') or {}
    if not isinstance(condition, dict):
        return False
    for operator, clauses in condition.items():
        if not isinstance(clauses, dict):
            continue
        for key, values in clauses.items():
            if str(key).lower() != EXTERNAL_ID_KEY:
                continue  # other condition keys are not modelled
            if not condition_operator_holds(str(operator), values, external_id):
                return False
    return True


def statement_matches(statement, principal, external_id):
    """True when the statement applies to ``principal`` assuming the role with ``external_id``."""
    if not isinstance(statement, dict):
        return False
    return (statement_action_matches(statement)
            and statement_principal_matches(statement, principal)
            and statement_condition_holds(statement, external_id))


def role_assumable(document, principal, external_id):
    """True when the trust policy lets ``principal`` call sts:AssumeRole with ``external_id``.

    ``document`` may be a dict, a JSON string, a URL-encoded JSON string, or None (no role).
    """
    policy = load_policy_document(document)
    if not isinstance(policy, dict):
        return False
    statements = _as_list(policy.get('Statement'))
    allowed = False
    for statement in statements:
        if not statement_matches(statement, principal, external_id):
            continue
        effect = str(statement.get('Effect', '')).lower()
        if effect == 'deny':
            return False
        if effect == 'allow':
            allowed = True
    return allowed


def _canonical(document):
    """A stable text form of a policy document, to tell whether it changed."""
    if document is None:
        return None
    return json.dumps(document, sort_keys=True, separators=(',', ':'))


class IamChecker:
    """Reads roles' trust policies from an IAM endpoint (moto) and evaluates them.

    Thread-safe: boto3 clients and assumed credentials are cached per account under a lock.
    """

    def __init__(self, endpoint_url, access_key='testing', secret_key='testing', region='us-east-1',
                 principal='arn:aws:iam::147995105371:root', propagation_delay=0.0, clock=time.monotonic):
        self.endpoint_url = endpoint_url
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
        self.principal = principal
        self.propagation_delay = float(propagation_delay or 0)
        self._clock = clock
        self._lock = threading.Lock()
        self._iam_clients = {}
        self._sts_client = None
        # role ARN -> {"effective": doc, "pending": doc, "pending_since": t}; docs in canonical text form
        self._seen = {}

    def settings_match(self, endpoint_url, access_key, secret_key, region):
        """True when this checker talks to the same endpoint with the same credentials."""
        return (self.endpoint_url, self.access_key, self.secret_key, self.region) == (endpoint_url, access_key, secret_key, region)

    def forget(self):
        """Forget every trust-policy document seen (propagation-delay memory)."""
        with self._lock:
            self._seen.clear()

    def _client_kwargs(self):
        return {'endpoint_url': self.endpoint_url, 'region_name': self.region}

    def _iam_client(self, account_id):
        import boto3  # imported late: the simulator runs without boto3 when no IAM endpoint is set

        with self._lock:
            client = self._iam_clients.get(account_id)
            if client is not None:
                return client
            if self._sts_client is None:
                self._sts_client = boto3.session.Session().client(
                    'sts', aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key, **self._client_kwargs())
            credentials = self._sts_client.assume_role(
                RoleArn='arn:aws:iam::%s:role/swp-simulator-reader' % account_id,
                RoleSessionName='swp-simulator')['Credentials']
            client = boto3.session.Session().client(
                'iam', aws_access_key_id=credentials['AccessKeyId'], aws_secret_access_key=credentials['SecretAccessKey'],
                aws_session_token=credentials['SessionToken'], **self._client_kwargs())
            self._iam_clients[account_id] = client
            return client

    def fetch_trust_policy(self, role_arn):
        """The role's current trust policy as a dict, or None when the role does not exist."""
        from botocore.exceptions import BotoCoreError, ClientError

        parsed = parse_role_arn(role_arn)
        if parsed is None:
            return None
        account_id, role_name = parsed
        try:
            role = self._iam_client(account_id).get_role(RoleName=role_name)['Role']
        except ClientError as exc:
            if exc.response.get('Error', {}).get('Code') == 'NoSuchEntity':
                return None
            raise IamCheckError('IAM GetRole failed for %s: %s' % (role_arn, exc)) from exc
        except BotoCoreError as exc:
            raise IamCheckError('IAM endpoint %s unusable: %s' % (self.endpoint_url, exc)) from exc
        return load_policy_document(role.get('AssumeRolePolicyDocument'))

    def effective_trust_policy(self, role_arn):
        """The trust policy the simulated manager acts on, after the propagation delay."""
        current = _canonical(self.fetch_trust_policy(role_arn))
        now = self._clock()
        with self._lock:
            memory = self._seen.get(role_arn)
            if memory is None:
                # First sight: nothing to compare with, the document is in force.
                memory = {'effective': current, 'pending': None, 'pending_since': None}
                self._seen[role_arn] = memory
            elif current == memory['effective']:
                memory['pending'] = None
                memory['pending_since'] = None
            else:
                if memory['pending'] != current or memory['pending_since'] is None:
                    memory['pending'] = current
                    memory['pending_since'] = now
                if now - memory['pending_since'] >= self.propagation_delay:
                    memory['effective'] = current
                    memory['pending'] = None
                    memory['pending_since'] = None
            effective = memory['effective']
        return None if effective is None else json.loads(effective)

    def observe(self, role_arn):
        """Read the role's trust policy so that later changes are delayed; returns the document in force."""
        return self.effective_trust_policy(role_arn)

    def can_assume(self, role_arn, external_id):
        """(ok, reason): whether the principal can assume ``role_arn`` with ``external_id``."""
        if parse_role_arn(role_arn) is None:
            return False, 'not a role ARN'
        document = self.effective_trust_policy(role_arn)
        if document is None:
            return False, 'the role does not exist'
        if role_assumable(document, self.principal, external_id):
            return True, None
        return False, "the role's trust policy does not allow it"
