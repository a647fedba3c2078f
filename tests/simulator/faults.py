"""Fault injection and the per-API-key rate limiter."""

from __future__ import annotations

import collections
import copy
import math
import random
import re
import threading
import time

FAULT_KEYS = {'status', 'body', 'content_type', 'retry_after', 'headers', 'drop', 'latency', 'when', 'method', 'path',
              'background_sync'}
RANDOM_KEYS = FAULT_KEYS | {'probability'}


class FaultError(ValueError):
    """A malformed fault description."""


def validate_fault(fault, random_rule=False):
    """Check one fault (or probabilistic rule) and return a normalized copy.

    Keys: ``status`` (int), ``body`` (str = sent as is, anything else = JSON), ``content_type``,
    ``retry_after`` (Retry-After header value), ``headers`` (extra headers), ``drop`` (close the
    connection without an answer), ``latency`` (seconds), ``background_sync`` (true: the manager syncs every
    connector on its own schedule just then, before or after the operation, which is answered normally), ``when`` ("before" = instead of the
    operation, the default; "after" = perform the operation, then apply the fault),
    ``method`` and ``path`` (regex searched in the full request path, e.g. "^/api/awsconnectors$")
    to match only some requests; rules also take ``probability`` (0..1).
    """
    if not isinstance(fault, dict):
        raise FaultError('a fault must be a JSON object, got %r' % (fault,))
    allowed = RANDOM_KEYS if random_rule else FAULT_KEYS
    unknown = sorted(set(fault) - allowed)
    if unknown:
        raise FaultError('unknown fault key(s): %s' % ', '.join(unknown))
    result = copy.deepcopy(fault)
    if 'status' in result:
        status = result['status']
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
            raise FaultError('fault status must be an HTTP status code, got %r' % (status,))
    if 'latency' in result:
        latency = result['latency']
        if not isinstance(latency, (int, float)) or isinstance(latency, bool) or latency < 0:
            raise FaultError('fault latency must be a non-negative number of seconds')
        result['latency'] = float(latency)
    if 'drop' in result and not isinstance(result['drop'], bool):
        raise FaultError('fault drop must be true or false')
    result.setdefault('when', 'before')
    if result['when'] not in ('before', 'after'):
        raise FaultError('fault "when" must be "before" or "after"')
    if 'background_sync' in result and not isinstance(result['background_sync'], bool):
        raise FaultError('fault background_sync must be true or false')
    if not (result.get('status') or result.get('drop') or 'latency' in result or result.get('background_sync')):
        raise FaultError('a fault needs "status", "drop", "latency" or "background_sync"')
    if 'path' in result:
        try:
            re.compile(result['path'])
        except (re.error, TypeError) as exc:
            raise FaultError('fault path must be a regular expression: %s' % exc) from exc
    if 'method' in result and not isinstance(result['method'], str):
        raise FaultError('fault method must be a string')
    if 'headers' in result and not isinstance(result['headers'], dict):
        raise FaultError('fault headers must be an object')
    if random_rule:
        probability = result.get('probability')
        if not isinstance(probability, (int, float)) or isinstance(probability, bool) or not 0 <= probability <= 1:
            raise FaultError('a random fault needs "probability" between 0 and 1')
    return result


def fault_matches(fault, method, path):
    """True when the fault's optional method/path filters match the request."""
    if 'method' in fault and fault['method'].upper() != method.upper():
        return False
    if 'path' in fault and not re.search(fault['path'], path):
        return False
    return True


class FaultInjector:
    """A scripted queue of faults plus probabilistic rules, thread-safe."""

    def __init__(self, seed=None):
        self._lock = threading.Lock()
        self._sequence = []
        self._random = []
        self._rng = random.Random(seed)

    def reset(self, seed=None):
        """Drop every fault and reseed the random generator."""
        with self._lock:
            self._sequence = []
            self._random = []
            self._rng = random.Random(seed)

    def clear(self):
        """Drop every fault (the random generator keeps its state)."""
        with self._lock:
            self._sequence = []
            self._random = []

    def seed(self, seed):
        """Reseed the random generator of probabilistic faults."""
        with self._lock:
            self._rng = random.Random(seed)

    def add_sequence(self, faults):
        """Append faults to the scripted queue; each is used by one matching request."""
        if not isinstance(faults, list):
            raise FaultError('"sequence" must be a list of faults')
        checked = [validate_fault(fault) for fault in faults]
        with self._lock:
            self._sequence.extend(checked)

    def add_random(self, rules):
        """Add probabilistic rules; each matching request draws against every rule in turn."""
        if isinstance(rules, dict):
            rules = [rules]
        if not isinstance(rules, list):
            raise FaultError('"random" must be a list of rules')
        checked = [validate_fault(rule, random_rule=True) for rule in rules]
        with self._lock:
            self._random.extend(checked)

    def add(self, document):
        """Apply a control-API document: {"sequence": [...], "random": [...], "seed": N} or one rule with "probability"."""
        if isinstance(document, list):
            self.add_sequence(document)
            return
        if not isinstance(document, dict):
            raise FaultError('expected {"sequence": [...]}, {"random": [...]} or a rule with "probability"')
        if 'probability' in document:
            self.add_random([document])
            return
        unknown = sorted(set(document) - {'sequence', 'random', 'seed'})
        if unknown:
            raise FaultError('unknown key(s): %s' % ', '.join(unknown))
        if 'seed' in document:
            self.seed(document['seed'])
        if 'sequence' in document:
            self.add_sequence(document['sequence'])
        if 'random' in document:
            self.add_random(document['random'])

    def take(self, method, path):
        """The fault to apply to this request, or None; a scripted fault is used up."""
        with self._lock:
            for index, fault in enumerate(self._sequence):
                if fault_matches(fault, method, path):
                    del self._sequence[index]
                    return fault
            for rule in self._random:
                if fault_matches(rule, method, path) and self._rng.random() < rule['probability']:
                    return copy.deepcopy(rule)
        return None

    def snapshot(self):
        """The pending scripted faults and the probabilistic rules."""
        with self._lock:
            return {'sequence': copy.deepcopy(self._sequence), 'random': copy.deepcopy(self._random)}


class RateLimiter:
    """Counts calls per API key over a rolling window; calls refused while over the limit are not counted."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._calls = collections.defaultdict(collections.deque)

    def reset(self):
        """Forget every counted call."""
        with self._lock:
            self._calls.clear()

    def check(self, key_id, limit, window):
        """(allowed, retry_after_seconds); counts the call when allowed."""
        return self.check_all([(key_id, limit, window)])

    def check_all(self, buckets):
        """One call against several counters [(bucket, limit, window)] (limit 0 = off).

        (allowed, retry_after_seconds): refused when any counter is full, Retry-After being the longest wait
        among the full ones; an allowed call is counted in every counter, a refused one in none.
        """
        now = self._clock()
        waits = []
        with self._lock:
            active = [(self._calls[bucket], limit, window) for bucket, limit, window in buckets if limit]
            for calls, limit, window in active:
                while calls and calls[0] <= now - window:
                    calls.popleft()
                if len(calls) >= limit:
                    waits.append(max(1, int(math.ceil(calls[len(calls) - limit] + window - now))))
            if waits:
                return False, max(waits)
            for calls, _limit, _window in active:
                calls.append(now)
        return True, None
