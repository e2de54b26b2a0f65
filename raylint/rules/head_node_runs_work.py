from __future__ import annotations

from raylint.rules.base import Rule


class HeadNodeRunsWork(Rule):
    """
    ## What it does
    Checks Ray cluster configuration files for a head node that accepts tasks while the cluster has
    worker nodes to run them:

    - **KubeRay manifests** (`kind: RayCluster`, a `RayJob` with `rayClusterSpec`, a `RayService` with
      `rayClusterConfig`; several documents in one file and `kind: List` too): `headGroupSpec.rayStartParams`
      without `num-cpus` of zero (`"0"`, `'0'` or `0`) while at least one worker group can start a worker.
      Reported on the `rayStartParams:` line, or on `headGroupSpec:` when there is no `rayStartParams`.
    - **Ray cluster launcher YAML** (a file with `head_start_ray_commands`): a `ray start --head` without
      `--num-cpus=0` (or `--num-cpus 0`) while the file declares workers (`max_workers` > 0, or a node type
      other than `head_node_type` in `available_node_types`). Reported on the line where `ray start` stands,
      also inside folded and literal multi-line strings.
    - **Shell scripts** (`.sh`, `.bash`, or a `sh`/`bash` shebang): a `ray start --head` without
      `--num-cpus=0` when the same script also starts a worker with `ray start --address ...`, also inside
      the quoted command of `ssh`, `bash -c` and the like. Backslash continuations make one command; it is
      reported where `ray start` stands.

    The rule stays quiet on single-node setups (no worker group, `max_workers: 0`, no worker start in the
    script), a head already at zero CPUs (also through `resources: {"CPU": 0}` on the launcher's head node
    type), YAML that is not a Ray config (Helm values files, other kinds), commented-out lines, `echo`ed
    text, and values substituted at deploy time (`"${HEAD_CPUS}"`, `--num-cpus=$CPUS`, flags passed through
    a variable as in `ray start --head $HEAD_ARGS`): they are unknown.

    When a directory is checked, `*.yaml`, `*.yml`, `*.sh` and `*.bash` files that mention
    `rayStartParams`, `headGroupSpec`, `head_start_ray_commands` or `ray start` are checked; files named
    on the command line always are. A Ray config that is not valid YAML gets one `invalid-syntax` finding
    with its position, except a Helm or Jinja template (`{{ ... }}`), which is not YAML until rendered.
    `# noqa: RAY201` and `# raylint: noqa` work in YAML and shell comments as in Python; in a multi-line
    YAML string the directive goes on the line of its `|` or `>` header (or after the last line of a
    plain multi-line string), in a continued shell command on its last line.

    ## Why is this bad?
    The head node runs the cluster's coordinators: the GCS (every actor, placement group and object
    location), the dashboard, the autoscaler and the Jobs API. Ray schedules tasks on any node with free
    CPUs, and by default the head advertises all of its CPUs, so heavy tasks and actors land on it too.
    When they saturate its CPUs or memory, the GCS slows down or the head is OOM-killed, and the whole
    cluster stalls or dies with it; a worker that dies only loses its own tasks. With `--num-cpus=0` the
    head advertises no CPUs, so nothing that needs a CPU is scheduled there and the work goes to the
    workers. (GPUs declared on the head are the same: `num-gpus: "0"`.) This is Ray's recommended
    production layout for clusters with worker nodes.

    ## Example
    ```yaml
    apiVersion: ray.io/v1
    kind: RayCluster
    spec:
      headGroupSpec:
        rayStartParams:
          dashboard-host: "0.0.0.0"
      workerGroupSpecs:
        - groupName: workers
          replicas: 4
    ```

    ```bash
    ray start --head --port=6379
    ssh worker-1 "ray start --address=head:6379"
    ```

    ## Use instead
    ```yaml
    apiVersion: ray.io/v1
    kind: RayCluster
    spec:
      headGroupSpec:
        rayStartParams:
          num-cpus: "0"
          dashboard-host: "0.0.0.0"
      workerGroupSpecs:
        - groupName: workers
          replicas: 4
    ```

    ```bash
    ray start --head --num-cpus=0 --port=6379
    ssh worker-1 "ray start --address=head:6379"
    ```

    ## Fix safety
    For KubeRay the fix adds `num-cpus: "0"` as the first entry of `rayStartParams`, at its indentation
    (and `num-gpus: "0"` when the head's containers request GPUs), sets a non-zero `num-cpus` to `"0"`, or
    adds a `rayStartParams` block to `headGroupSpec`; for launcher YAML and shell scripts it inserts
    `--num-cpus=0` right after `--head` (or sets an existing `--num-cpus` to 0). Each is a minimal text
    edit at a parsed position: formatting and comments stay, and the fixed YAML must parse again or the fix
    is dropped. There is no fix when the command sits in a quoted `ssh`/`bash -c` string that expands
    variables or holds escapes (its position in the file is not certain), or when the YAML has a shape
    the edit is not sure of (a head group spec that shares its first line with a `-`).

    The fix is always **unsafe**: work that ran on the head now needs a worker. A cluster whose worker
    groups may scale to zero waits for the autoscaler before any task runs, a task or actor that needs
    more CPUs than any worker has can no longer be scheduled at all, and code that pins work to the head
    (`NodeAffinitySchedulingStrategy` to the head's node id, a custom resource only the head has) stops
    finding CPUs there.

    ## Options
    None.

    ## References
    - [Ray: Configuring the head node](https://docs.ray.io/en/latest/cluster/vms/user-guides/large-cluster-best-practices.html#configuring-the-head-node)
    - [KubeRay: RayCluster configuration, `rayStartParams`](https://docs.ray.io/en/latest/cluster/kubernetes/user-guides/config.html)
    - [Ray cluster launcher YAML configuration](https://docs.ray.io/en/latest/cluster/vms/references/ray-cluster-configuration.html)
    """

    code = "RAY201"
    name = "head-node-runs-work"
    summary = "A cluster config lets the head node run tasks while the cluster has workers"
    fix_availability = "Sometimes"

    def run(self) -> None:
        # Python files hold no cluster configuration; raylint.configs checks the configuration files.
        return None


RULE = HeadNodeRunsWork
