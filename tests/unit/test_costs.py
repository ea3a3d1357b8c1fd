"""The cost arithmetic and the bucket rule (domain/costs.py), which the Redis script mirrors."""

from __future__ import annotations

import pytest

from lensgraph.domain.costs import (
    Argument,
    Bucket,
    BucketLevel,
    CostField,
    ItemCount,
    OperationCost,
    restored,
    settle,
    take,
)

PAGE = ItemCount((Argument(variable="first"), Argument(variable="last")), default=20, maximum=100)


def connection(key: str, page: ItemCount, node_children: tuple[CostField, ...] = ()) -> CostField:
    """``key { edges { node { ... } } }``: 1 for the connection, its page of nodes at 1 each plus their fields."""
    node = CostField("node", 1, None, node_children)
    return CostField(key, 1, None, (CostField("edges", 0, page, (node,)),))


@pytest.mark.parametrize(
    ("variables", "count"),
    [({}, 20), ({"first": 5}, 5), ({"last": 7}, 7), ({"first": None, "last": 3}, 3), ({"first": 500}, 100)],
)
def test_a_page_is_first_else_last_else_the_default_and_at_most_the_largest_page(variables, count):
    assert PAGE.requested(variables) == count


def test_a_negative_or_non_integer_size_counts_as_nothing_or_the_default():
    assert PAGE.requested({"first": -3}) == 0
    assert PAGE.requested({"first": "ten"}) == 20
    assert PAGE.requested({"first": True}) == 20


def test_a_list_argument_counts_by_its_length_and_a_variable_falls_back_to_its_declared_default():
    ids = ItemCount((Argument(["a"], "ids"),), default=1, maximum=100)
    assert ids.requested({"ids": ["a", "b", "c"]}) == 3
    assert ids.requested({}) == 1


def test_a_connection_costs_one_plus_its_page_of_nodes():
    photos = connection("photos", PAGE, (CostField("photographer", 1),))
    operation = OperationCost((photos,))
    assert operation.requested({"first": 50}) == 1 + 50 * 2
    assert operation.requested({}) == 1 + 20 * 2


def test_nested_connections_multiply():
    inner = connection("photos", ItemCount((Argument(20),), 20, 100), (CostField("photographer", 1),))
    outer = connection("collections", ItemCount((Argument(20),), 20, 100), (inner,))
    assert OperationCost((CostField("viewer", 1, None, (outer,)),)).requested({}) == 1 + 1 + 20 * (1 + 1 + 20 * 2)


def test_the_actual_cost_counts_what_was_returned_and_never_exceeds_the_request():
    photos = connection("photos", PAGE, (CostField("photographer", 1),))
    operation = OperationCost((CostField("viewer", 1), photos))
    data = {
        "viewer": None,  # looked up: it costs its 1 even though it is null
        "photos": {"edges": [{"node": {"photographer": {"username": "ada"}}}, {"node": {"photographer": None}}]},
    }
    requested = operation.requested({"first": 10})
    assert requested == 1 + 1 + 10 * 2
    assert operation.actual(data, requested) == 1 + 1 + 2 * 2
    assert operation.actual(None, requested) == 0
    # A list priced as one item up front is charged per item returned, up to the requested cost.
    tags = OperationCost((CostField("tags", 1, ItemCount()),))
    assert tags.actual({"tags": [{}, {}, {}]}, tags.requested({})) == 1


def test_an_interface_costs_its_costliest_type_up_front_and_the_returned_type_after():
    node = CostField(
        "node",
        1,
        None,
        variants=(("License", (CostField("photo", 1), CostField("brand", 1))), ("Photo", (CostField("owner", 1),))),
    )
    operation = OperationCost((node,))
    assert operation.requested({}) == 3
    assert operation.actual({"node": {"__typename": "Photo", "owner": {}}}, 3) == 2
    # Without __typename in the answer the costliest reading of it counts.
    assert operation.actual({"node": {"photo": {}, "brand": {}}}, 3) == 3


BUCKET = Bucket(capacity=100, restore_rate=10)


def test_a_new_caller_has_a_full_bucket_and_points_restore_up_to_the_capacity():
    assert restored(BUCKET, None, 5.0) == 100
    assert restored(BUCKET, BucketLevel(20, at=0.0), 3.0) == 50
    assert restored(BUCKET, BucketLevel(20, at=0.0), 60.0) == 100
    # A clock that went back restores nothing (and takes nothing).
    assert restored(BUCKET, BucketLevel(20, at=10.0), 9.0) == 20


def test_taking_more_than_is_available_takes_nothing_and_says_when_to_come_back():
    taken = take(BUCKET, None, 0.0, 80)
    assert taken.allowed and taken.level == BucketLevel(20, 0.0)
    refused = take(BUCKET, taken.level, 1.0, 45)
    assert not refused.allowed
    assert refused.level == BucketLevel(30, 1.0)
    assert refused.retry_after == 2  # 15 more points at 10 a second: 1.5 s, rounded up
    assert take(BUCKET, refused.level, 2.5, 45).allowed


def test_a_retry_is_at_least_a_second_away():
    assert take(BUCKET, BucketLevel(99.5, 0.0), 0.0, 100).retry_after == 1


def test_settling_gives_back_the_unspent_points_within_the_bucket():
    taken = take(BUCKET, None, 0.0, 60)
    assert settle(BUCKET, taken.level, 0.0, 50).level.available == 90
    assert settle(BUCKET, taken.level, 0.0, 500).level.available == 100
    assert settle(BUCKET, BucketLevel(5, 0.0), 0.0, -20).level.available == 0
