"""RAY201 head-node-runs-work over cluster configuration files: KubeRay manifests, Ray cluster launcher
YAML and shell scripts. The rule's page is the docstring of raylint.rules.head_node_runs_work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from raylint.configs import yaml_reader as yr
from raylint.configs.ray_start import NONZERO, UNKNOWN, ZERO, RayStart, numeric_count, ray_starts
from raylint.configs.yaml_reader import Positions
from raylint.ftypes import Edit, Fix, Location

# The KubeRay kinds that hold a cluster spec, and the key under `spec` that holds it (None: `spec` itself).
_CLUSTER_SPEC = {"RayCluster": None, "RayJob": "rayClusterSpec", "RayService": "rayClusterConfig"}
_KUBERAY_FIX = "Set `num-cpus: \"0\"` in the head's `rayStartParams`"
_FLAG_FIX = "Add `--num-cpus=0` to `ray start --head`"
_FLAG = "--num-cpus=0"


@dataclass(frozen=True)
class Finding:
    start: Tuple[int, int]
    end: Tuple[int, int]
    message: str
    fix: Optional[Fix]


# ---- KubeRay ---------------------------------------------------------------------------------------------


def check_yaml(text: str, roots: Sequence[Node], positions: Positions) -> List[Finding]:
    findings: List[Finding] = []
    for root in roots:
        if yr.get(root, "head_start_ray_commands") is not None:
            findings.extend(_launcher(root, text, positions))
        for document in _kuberay_documents(root):
            finding = _kuberay(document, text, positions)
            if finding is not None:
                findings.append(finding)
    # Clusters sharing one head group through a YAML alias are one place to fix.
    return list(dict.fromkeys(findings))


def _kuberay_documents(root: Node) -> List[Node]:
    """The document itself, or the items of a `kind: List`."""
    if yr.scalar(yr.value(root, "kind")) == "List":
        return yr.items(yr.value(root, "items"))
    return [root]


def _kuberay(document: Node, text: str, positions: Positions) -> Optional[Finding]:
    kind = yr.scalar(yr.value(document, "kind"))
    api_version = yr.scalar(yr.value(document, "apiVersion"))
    if kind not in _CLUSTER_SPEC or (api_version is not None and not api_version.startswith("ray.io/")):
        return None
    spec = yr.value(document, "spec")
    cluster = spec if _CLUSTER_SPEC[kind] is None else yr.value(spec, _CLUSTER_SPEC[kind])
    head_pair = yr.get(cluster, "headGroupSpec")
    if head_pair is None or not isinstance(head_pair[1], MappingNode):
        return None
    workers = [group for group in yr.items(yr.value(cluster, "workerGroupSpecs")) if _can_run_workers(group)]
    if not workers:
        return None
    head_key, head = head_pair
    plural = "s" if len(workers) > 1 else ""
    because = f"while the cluster has {len(workers)} worker group{plural}"
    params_pair = yr.get(head, "rayStartParams")
    edit = _Edits(text, positions)
    gpus = _head_declares_gpus(head)
    if params_pair is None:
        message = f"Head node runs tasks: `headGroupSpec` has no `rayStartParams` with `num-cpus: \"0\"` {because}"
        entries = _entries(True, gpus)
        fix = edit.fix(_KUBERAY_FIX, edit.add_mapping_entry(head, head_key, "rayStartParams", entries))
        return Finding(_start(head_key), _end(head_key), message, fix)
    params_key, params = params_pair
    if yr.is_null(params):
        message = f"Head node runs tasks: `rayStartParams` is empty {because}; set `num-cpus: \"0\"`"
        fix = edit.fix(_KUBERAY_FIX, edit.fill_null(params_key, params, head, head_key, _entries(True, gpus)))
        return Finding(_start(params_key), _end(params_key), message, fix)
    if not isinstance(params, MappingNode):
        return None  # a template or a reference: unknown until deployed
    cpus = yr.value(params, "num-cpus")
    if cpus is not None and (not isinstance(cpus, ScalarNode) or numeric_count(cpus.value) != NONZERO):
        return None  # zero already, or substituted at deploy time
    gpu_value = yr.value(params, "num-gpus")
    gpu_count = numeric_count(gpu_value.value) if isinstance(gpu_value, ScalarNode) else None
    edits: List[Optional[Edit]] = []
    if cpus is None:
        message = f"Head node runs tasks: `rayStartParams` has no `num-cpus: \"0\"` {because}"
    else:
        message = f"Head node runs tasks: `rayStartParams` sets `num-cpus: \"{cpus.value}\"` {because}; use \"0\""
        edits.append(edit.replace_scalar(cpus))
    if gpu_count == NONZERO:
        edits.append(edit.replace_scalar(gpu_value))
    new_entries = _entries(cpus is None, gpus and gpu_value is None)
    if new_entries:
        edits.append(edit.add_entries(params, new_entries))
    return Finding(_start(params_key), _end(params_key), message, edit.fix(_KUBERAY_FIX, *edits))


def _entries(cpus: bool, gpus: bool) -> List[str]:
    return (['num-cpus: "0"'] if cpus else []) + (['num-gpus: "0"'] if gpus else [])


def _can_run_workers(group: Node) -> bool:
    """A worker group can start a worker unless it is capped at zero replicas."""
    if not isinstance(group, MappingNode):
        return False
    maximum = yr.scalar(yr.value(group, "maxReplicas"))
    replicas = yr.scalar(yr.value(group, "replicas"))
    return not (maximum is not None and numeric_count(maximum) == ZERO
                and (replicas is None or numeric_count(replicas) == ZERO))


def _head_declares_gpus(head: Node) -> bool:
    """GPUs on the head: a non-zero `num-gpus` start parameter or a GPU resource on one of its containers."""
    params = yr.value(head, "rayStartParams")
    if numeric_count(yr.scalar(yr.value(params, "num-gpus")) or "") == NONZERO:
        return True
    pod_spec = yr.value(yr.value(head, "template"), "spec")
    for container in yr.items(yr.value(pod_spec, "containers")):
        resources = yr.value(container, "resources")
        for section in ("limits", "requests"):
            amounts = yr.value(resources, section)
            if not isinstance(amounts, MappingNode):
                continue
            for key, amount in amounts.value:
                if "gpu" in str(key.value).lower() and numeric_count(yr.scalar(amount) or "") == NONZERO:
                    return True
    return False


# ---- Ray cluster launcher ---------------------------------------------------------------------------------


def _launcher(root: Node, text: str, positions: Positions) -> List[Finding]:
    if not _launcher_has_workers(root) or _head_type_has_no_cpus(root):
        return []
    commands = yr.value(root, "head_start_ray_commands")
    nodes = yr.items(commands) if not isinstance(commands, ScalarNode) else [commands]
    findings = []
    for node in nodes:
        if not isinstance(node, ScalarNode):
            continue
        offsets = _source_offsets(node, text, positions)
        for start in ray_starts(node.value):
            if start.head is not None and start.num_cpus in (None, NONZERO):
                message = ("Head node runs tasks: `ray start --head` without `--num-cpus=0` while the cluster "
                           "declares workers")
                fix = _flag_fix(start, text, positions, offsets)
                findings.append(_command_finding(start, positions, offsets, message, fix))
    return findings


def _launcher_has_workers(root: Node) -> bool:
    """`max_workers` > 0, or a worker node type that may start nodes; an explicit `max_workers: 0` caps
    the whole cluster at the head."""
    max_workers = yr.value(root, "max_workers")
    if max_workers is not None:
        count = numeric_count(yr.scalar(max_workers) or "")
        if count != UNKNOWN:
            return count == NONZERO
    node_types = yr.value(root, "available_node_types")
    if not isinstance(node_types, MappingNode):
        return False
    head_type = yr.scalar(yr.value(root, "head_node_type"))
    worker_types = [spec for key, spec in node_types.value if isinstance(key, ScalarNode) and key.value != head_type]
    if head_type is None:
        worker_types = worker_types[1:]
    return any(numeric_count(yr.scalar(yr.value(spec, "max_workers")) or "1") != ZERO for spec in worker_types)


def _head_type_has_no_cpus(root: Node) -> bool:
    """`resources: {"CPU": 0}` on the head node type: the autoscaler overrides what `ray start` detects."""
    head_type = yr.scalar(yr.value(root, "head_node_type"))
    if head_type is None:
        return False
    resources = yr.value(yr.value(yr.value(root, "available_node_types"), head_type), "resources")
    return numeric_count(yr.scalar(yr.value(resources, "CPU")) or "") == ZERO


def _source_offsets(node: ScalarNode, text: str, positions: Positions) -> List[int]:
    """For each character of the scalar's value (and one past its end), the source offset it comes from.
    Folding, indentation and escapes only add or change whitespace and backslashes between the characters
    a command is made of, so a greedy match of the visible characters finds them."""
    raw, end = node.start_mark.index, node.end_mark.index
    if yr.is_block_scalar(node):
        raw = positions.line_end(raw) + 1
    elif node.style in ("'", '"'):
        raw += 1
    offsets = []
    for char in node.value:
        if char.isspace():
            offsets.append(raw)
            if raw < end and text[raw].isspace():
                raw += 1
            continue
        while raw < end and text[raw] != char:
            raw += 1
        offsets.append(raw)
        raw = min(raw + 1, end)
    offsets.append(raw)
    return offsets


# ---- shell scripts ----------------------------------------------------------------------------------------


def check_shell(text: str) -> List[Finding]:
    starts = ray_starts(text)
    if not any(start.head is None and start.address for start in starts):
        return []
    positions = Positions(text)
    offsets = list(range(len(text) + 1))
    findings = []
    for start in starts:
        if start.head is not None and start.num_cpus in (None, NONZERO):
            message = ("Head node runs tasks: `ray start --head` without `--num-cpus=0` while this script also "
                       "starts a worker")
            findings.append(_command_finding(start, positions, offsets, message,
                                             _flag_fix(start, text, positions, offsets)))
    return findings


# ---- shared -----------------------------------------------------------------------------------------------


def _command_finding(start: RayStart, positions: Positions, offsets: List[int], message: str,
                     fix: Optional[Fix]) -> Finding:
    first = positions.row_col(offsets[start.ray.start])
    last = positions.row_col(offsets[max(start.ray.end - 1, start.ray.start)] + 1)
    if start.exact and start.head is not None:
        head_end = positions.row_col(offsets[start.head.end - 1] + 1)
        if head_end[0] == first[0]:
            last = head_end
    return Finding(first, last, message, fix)


def _flag_fix(start: RayStart, text: str, positions: Positions, offsets: List[int]) -> Optional[Fix]:
    """Insert `--num-cpus=0` after `--head`, or set an existing literal `--num-cpus` to 0; only where the
    words stand in the source exactly as the command reads them."""
    if not start.exact:
        return None
    if start.cpus_word is not None:
        word = start.cpus_word
        begin, end = offsets[word.start], offsets[word.end - 1] + 1
        if text[begin:end] != word.text:
            return None
        replacement = _FLAG if word.text.startswith("--num-cpus=") else "0"
        return Fix("unsafe", "Set `--num-cpus=0` on `ray start --head`",
                   (Edit(replacement, _loc(positions, begin), _loc(positions, end)),))
    head_end = offsets[start.head.end - 1] + 1
    if text[head_end - len("--head") : head_end] != "--head" or start.head.end - start.head.start != len("--head"):
        return None
    where = _loc(positions, head_end)
    return Fix("unsafe", _FLAG_FIX, (Edit(" " + _FLAG, where, where),))


def _loc(positions: Positions, offset: int) -> Location:
    return Location(*positions.row_col(offset))


def _start(node: Node) -> Tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _end(node: Node) -> Tuple[int, int]:
    return node.end_mark.line + 1, node.end_mark.column + 1


class _Edits:
    """Minimal text edits at parsed positions, in the file's own indentation and line endings; None when
    the shape of the text is not one the edit is sure of (then the finding has no fix)."""

    def __init__(self, text: str, positions: Positions):
        self.text = text
        self.positions = positions
        self.newline = positions.newline()

    def fix(self, message: str, *edits: Optional[Edit]) -> Optional[Fix]:
        if not edits or any(edit is None for edit in edits):
            return None
        return Fix("unsafe", message, tuple(edits))

    def _at(self, offset: int, content: str, end: Optional[int] = None) -> Edit:
        return Edit(content, _loc(self.positions, offset), _loc(self.positions, offset if end is None else end))

    def replace_scalar(self, node: Node) -> Optional[Edit]:
        if not isinstance(node, ScalarNode) or yr.is_block_scalar(node):
            return None
        return self._at(node.start_mark.index, '"0"', node.end_mark.index)

    def _is_flow(self, mapping: MappingNode) -> bool:
        return self.text[mapping.start_mark.index : mapping.start_mark.index + 1] == "{"

    def _indent_step(self, mapping: MappingNode, key: Node) -> int:
        step = self._child_column(mapping) - key.start_mark.column if mapping.value else 0
        return step if step > 0 else 2

    def _child_column(self, mapping: MappingNode) -> int:
        return mapping.value[0][0].start_mark.column

    def add_entries(self, mapping: MappingNode, entries: List[str]) -> Optional[Edit]:
        """New `key: value` lines before the mapping's first key, at its indentation."""
        if self._is_flow(mapping):
            after = ", " if mapping.value else ""
            return self._at(mapping.start_mark.index + 1, ", ".join(entries) + after)
        if not mapping.value:
            return None
        first = mapping.value[0][0]
        line_start = self.positions.line_start(first.start_mark.index)
        if self.text[line_start : first.start_mark.index] != " " * first.start_mark.column:
            return None  # the first key shares its line with something else (`- key:`)
        indent = " " * first.start_mark.column
        return self._at(line_start, "".join(indent + entry + self.newline for entry in entries))

    def add_mapping_entry(self, mapping: MappingNode, key: Node, name: str, entries: List[str]) -> Optional[Edit]:
        """A new `name:` block holding `entries` in the mapping (the head group spec)."""
        if self._is_flow(mapping):
            return self._at(mapping.start_mark.index + 1, f"{name}: {{{', '.join(entries)}}}, ")
        step = " " * self._indent_step(mapping, key)
        return self.add_entries(mapping, [f"{name}:"] + [step + entry for entry in entries])

    def fill_null(self, key: Node, null: ScalarNode, parent: MappingNode, parent_key: Node,
                  entries: List[str]) -> Optional[Edit]:
        """`rayStartParams:` with nothing (or `null`) gets the entries as a block under it."""
        if null.value:  # an explicit `null` or `~` token
            return self._at(null.start_mark.index, "{" + ", ".join(entries) + "}", null.end_mark.index)
        indent = " " * (key.start_mark.column + self._indent_step(parent, parent_key))
        line_end = self.positions.line_end(key.end_mark.index)
        return self._at(line_end, "".join(self.newline + indent + entry for entry in entries))
