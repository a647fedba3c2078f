"""Paging by ID (the vendor's sample: ID greater-than the last one seen, until an empty or short page) stays correct
while connectors are created and deleted between pages."""

from __future__ import annotations

import random

import pytest

requests = pytest.importorskip('requests')


def page(api, after_id, size, *criteria):
    """One page: connectors with ID > after_id, by ID."""
    body = {'maxItems': size, 'sortByObjectID': True,
            'searchCriteria': [{'idTest': 'greater-than', 'idValue': after_id}] + list(criteria)}
    response = api.post('/awsconnectors/search', body)
    assert response.status_code == 200, response.text
    return response.json()['awsConnectors']


def seed(sim, count):
    """``count`` access-key connectors; returns their IDs."""
    created = sim.add_connectors([{'accessKey': 'AKIAPAGE%05d' % i, 'accountId': '%012d' % (i + 1)} for i in range(count)])
    return [c['ID'] for c in created]


@pytest.mark.parametrize('profile', ['documented', 'strict'])
@pytest.mark.parametrize('size', [1, 7, 50])
def test_paging_by_id_while_creating_and_deleting(sim, api, profile, size):
    sim.reset({'config': {'profile': profile, 'rate_limit': 0}})
    present = set(seed(sim, 60))
    chooser = random.Random(size)
    deleted_behind, deleted_ahead, created = set(), set(), set()
    seen = []
    after_id = 0
    while True:
        batch = page(api, after_id, size)
        ids = [c['ID'] for c in batch]
        assert ids == sorted(ids) and all(i > after_id for i in ids)
        seen.extend(ids)
        if ids:
            after_id = ids[-1]
        if len(ids) < size:
            break
        # between pages: delete one connector behind the cursor and one ahead of it, create one (a dozen at most)
        behind = sorted(i for i in present if i <= after_id)
        ahead = sorted(i for i in present if i > after_id)
        if behind:
            victim = chooser.choice(behind)
            assert api.delete('/awsconnectors/%d' % victim).status_code == 200
            present.discard(victim)
            deleted_behind.add(victim)
        if ahead:
            victim = chooser.choice(ahead)
            assert api.delete('/awsconnectors/%d' % victim).status_code == 200
            present.discard(victim)
            deleted_ahead.add(victim)
        if len(created) < 12:  # bounded, or a page size of 1 would never reach the end
            response = api.post('/awsconnectors', {'accessKey': 'AKIANEW%05d' % len(created), 'secretKey': 'page-secret'})
            assert response.status_code == 200
            created.add(response.json()['ID'])
            present.add(response.json()['ID'])
    assert len(seen) == len(set(seen)), 'a connector came twice'
    # every connector still there was seen (the new ones too: IDs only grow), those deleted behind the cursor
    # had been seen before, those deleted ahead of it never were
    assert set(seen) == present | deleted_behind
    assert created <= set(seen) | deleted_ahead and not set(seen) & deleted_ahead
    assert deleted_ahead and deleted_behind and created


def test_paging_with_a_criterion_and_deletes_of_the_last_id_seen(sim, api):
    sim.configure(rate_limit=0)
    ids = seed(sim, 30)
    seen, after_id = [], 0
    only_even = {'fieldName': 'accountId', 'stringTest': 'equal', 'stringValue': '%0', 'stringWildcards': True}
    while True:
        batch = page(api, after_id, 4, only_even)
        if not batch:
            break
        seen.extend(c['ID'] for c in batch)
        after_id = batch[-1]['ID']
        # the very connector the cursor stands on disappears: the next page must still start right after it
        assert api.delete('/awsconnectors/%d' % after_id).status_code == 200
    expected = [i for i in ids if ('%012d' % i).endswith('0')]
    assert seen == expected


def test_ids_are_never_reused_after_deleting_the_highest(sim, api):
    ids = seed(sim, 3)
    assert api.delete('/awsconnectors/%d' % ids[-1]).status_code == 200
    created = api.post('/awsconnectors', {'accessKey': 'AKIAAFTER', 'secretKey': 's'}).json()
    assert created['ID'] == ids[-1] + 1
    assert [c['ID'] for c in page(api, ids[0], 10)] == [ids[1], created['ID']]
