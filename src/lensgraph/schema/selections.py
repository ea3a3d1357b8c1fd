"""Selections as the compiled paths read them: the fields a selection set asks of one runtime type, fragments
flattened; anything the planners leave to the executor raises ``NotCompiled``."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode


class NotCompiled(Exception):
    """The planner leaves this document, or this run of it, to the resolvers."""


@dataclass
class Fields:
    """The fields a selection set asks of one runtime type, fragments flattened, in response order."""

    selections: list[FieldNode]

    @staticmethod
    def of(
        selection_set: SelectionSetNode | None,
        type_names: frozenset[str],
        fragments: dict[str, FragmentDefinitionNode],
    ) -> Fields:
        """``type_names``: the runtime type and the interfaces it implements, which fragments may name."""
        if selection_set is None:
            raise NotCompiled("a composite field without a selection")
        found: list[FieldNode] = []
        for selection in selection_set.selections:
            if selection.directives:
                raise NotCompiled("directives")  # @skip/@include depend on variables: left to the executor
            if isinstance(selection, FieldNode):
                found.append(selection)
                continue
            if isinstance(selection, InlineFragmentNode):
                condition, inner = selection.type_condition, selection.selection_set
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments[selection.name.value]
                condition, inner = fragment.type_condition, fragment.selection_set
            else:
                raise NotCompiled("an unknown selection")
            if condition is None or condition.name.value in type_names:
                found.extend(Fields.of(inner, type_names, fragments).selections)
        keys = [response_key(node) for node in found]
        if len(set(keys)) != len(keys):
            raise NotCompiled("a response key asked twice (merged selections)")
        return Fields(found)


def response_key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value
