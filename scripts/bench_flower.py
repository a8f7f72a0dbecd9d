#!/usr/bin/env python3
"""Flower's round wall time on the digits job, for the peer comparison in docs/benchmarks.md.

The job: 10 clients (`--clients`), each an IID share (seeded) of the 70 % stratified training
split of scikit-learn's digits (1,257 examples, ~125 per client), a 64-320-240-10 ReLU MLP
(100,250 parameters), one local epoch per round, batch 8, SGD lr 0.05, FedAvg weighted by
example count, 10 rounds (`--rounds`), no federated evaluation. Seeded throughout.

Modes (`--mode`, default `deployment`):
  deployment  Flower's deployment runtime: one `flower-superlink` and N `flower-supernode`
              processes on loopback (insecure HTTP), the app submitted with `flwr run`; each
              SuperNode starts a `flwr-clientapp` process per message (Flower's default
              `--isolation subprocess`).
  simulation  the same app on a `flower-superlink --simulation` (Ray backend, one CPU per
              virtual client); needs `pip install "flwr[simulation]"`.
  all         both, one after the other.

Round time is measured by the ServerApp itself: the wall time between consecutive round starts
(the strategy's `configure_train` call); the last round runs to the end of its aggregation.
Round 1 is reported separately as warm-up; median / min / max are over rounds 2..R. Process
start-up (SuperLink, SuperNodes, `flwr run` up to the first round) is reported separately too.
The breakdown columns come from wall-clock timestamps taken inside the ClientApp process
(start of the process from /proc, handler entry, local epoch) and the ServerApp (replies in,
aggregation done).

This script installs nothing. Usage (Python 3.10+, torch and scikit-learn present):
  pip install flwr==1.42.0            # plus "flwr[simulation]==1.42.0" for --mode simulation
  python3 scripts/bench_flower.py --rounds 10 --clients 10 [--mode deployment|simulation|all]
Processes it starts are put in their own process groups and stopped on exit; logs are kept
under a temporary directory whose path is printed (removed unless --keep).
"""
import argparse
import importlib.util
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

FLWR_VERSION_TESTED = "1.42.0"
HIDDEN = (320, 240)

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--rounds", type=int, default=10)
parser.add_argument("--clients", type=int, default=10)
parser.add_argument("--mode", choices=["deployment", "simulation", "all"], default="deployment")
parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per mode")
parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
parser.add_argument("--json", action="store_true", help="also print one JSON line per mode")
args = parser.parse_args()

missing = [m for m in ("flwr", "torch", "sklearn") if importlib.util.find_spec(m) is None]
if missing:
    hint = {"flwr": f"pip install flwr=={FLWR_VERSION_TESTED}", "torch": "pip install torch",
            "sklearn": "pip install scikit-learn"}
    print(f"bench_flower: missing Python package(s): {', '.join(missing)}", file=sys.stderr)
    for m in missing:
        print(f"  {hint[m]}", file=sys.stderr)
    print("  (or run this script with the python of a virtualenv that has them)", file=sys.stderr)
    sys.exit(2)

import flwr  # noqa: E402
import torch  # noqa: E402

# --------------------------------------------------------------------------------------------
# The Flower App (written to a temporary directory and submitted with `flwr run`)
# --------------------------------------------------------------------------------------------

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "tributarybench"
version = "1.0.0"
description = "Tributary peer benchmark: digits, 100k MLP, FedAvg"
license = "Apache-2.0"
dependencies = []

[tool.hatch.build.targets.wheel]
packages = ["."]

[tool.flwr.app]
publisher = "tributary"

[tool.flwr.app.components]
serverapp = "tributarybench.server_app:app"
clientapp = "tributarybench.client_app:app"

[tool.flwr.app.config]
num-server-rounds = 10
num-clients = 10
lr = 0.05
batch-size = 8
out-file = ""
"""

TASK_PY = f'''\
"""Model and data shared by the ServerApp and the ClientApp."""
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HIDDEN = {HIDDEN!r}


def make_model():
    torch.manual_seed(0)
    layers, fan_in = [], 64
    for w in HIDDEN:
        layers += [torch.nn.Linear(fan_in, w), torch.nn.ReLU()]
        fan_in = w
    layers.append(torch.nn.Linear(fan_in, 10))
    return torch.nn.Sequential(*layers)


def _split():
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    return train_test_split(x, y.astype(np.int64), test_size=0.3, stratify=y, random_state=0)


def client_partition(pid, n):
    """IID share `pid` of `n` of the training split (seeded shuffle, then contiguous chunks)."""
    x_tr, _, y_tr, _ = _split()
    idx = np.array_split(np.random.default_rng(42).permutation(len(y_tr)), n)[pid]
    return torch.from_numpy(x_tr[idx]), torch.from_numpy(y_tr[idx])


def test_set():
    _, x_te, _, y_te = _split()
    return torch.from_numpy(x_te), torch.from_numpy(y_te)
'''

CLIENT_PY = '''\
"""ClientApp: one local epoch of SGD on this SuperNode's partition."""
import os
import time


def _process_start_time():
    """Wall-clock start of this process (Linux /proc), or None."""
    try:
        with open("/proc/self/stat") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat") as f:
            btime = next(int(line.split()[1]) for line in f if line.startswith("btime"))
        return btime + ticks / os.sysconf("SC_CLK_TCK")
    except Exception:
        return None


T_IMPORT = time.time()

import torch  # noqa: E402
from flwr.app import ArrayRecord, Context, Message, MetricRecord, RecordDict  # noqa: E402
from flwr.clientapp import ClientApp  # noqa: E402

from tributarybench.task import client_partition, make_model  # noqa: E402

app = ClientApp()


@app.train()
def train(msg: Message, context: Context):
    t_enter = time.time()
    torch.set_num_threads(1)
    pid = int(context.node_config["partition-id"])
    n = int(context.node_config["num-partitions"])
    cfg = msg.content["config"]
    x, y = client_partition(pid, n)
    model = make_model()
    t_data = time.time()
    model.load_state_dict(msg.content["arrays"].to_torch_state_dict())
    t_arrays = time.time()
    # NB: the first torch.optim optimizer built in a process costs ~3 s (torch lazily imports
    # its compiler stack); Flower's per-message ClientApp process pays it every round.
    opt = torch.optim.SGD(model.parameters(), lr=float(cfg["lr"]))
    bs = int(cfg["batch-size"])
    g = torch.Generator().manual_seed(1000 * int(cfg["server-round"]) + pid)
    perm = torch.randperm(len(y), generator=g)
    t_fit = time.time()
    total = 0.0
    for i in range(0, len(y), bs):
        b = perm[i:i + bs]
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x[b]), y[b])
        loss.backward()
        opt.step()
        total += float(loss.detach()) * len(b)
    t_done = time.time()
    proc_start = _process_start_time()
    metrics = {
        "num-examples": len(y),
        "train-loss": total / len(y),
        "t-proc-start": proc_start if proc_start is not None else T_IMPORT,
        "t-import": T_IMPORT,
        "t-enter": t_enter,
        "t-data": t_data,
        "t-arrays": t_arrays,
        "t-fit": t_fit,
        "t-done": t_done,
        "pid": os.getpid(),
    }
    content = RecordDict({"arrays": ArrayRecord(model.state_dict()), "metrics": MetricRecord(metrics)})
    return Message(content=content, reply_to=msg)
'''

SERVER_PY = '''\
"""ServerApp: FedAvg over all clients, no federated evaluation; times every round."""
import json
import time

import torch
from flwr.app import ArrayRecord, ConfigRecord, Context, MetricRecord
from flwr.serverapp import Grid, ServerApp
from flwr.serverapp.strategy import FedAvg

from tributarybench.task import make_model, test_set

app = ServerApp()


def _mean_loss(records, weighting_key):
    """Example-weighted train loss only (the timestamps are not metrics to average)."""
    tot = sum(r["metrics"][weighting_key] for r in records)
    return MetricRecord({"train-loss": sum(r["metrics"]["train-loss"] * r["metrics"][weighting_key]
                                           for r in records) / tot})


class TimedFedAvg(FedAvg):
    def __init__(self, **kw):
        super().__init__(train_metrics_aggr_fn=_mean_loss, **kw)
        self.rounds = []

    def configure_train(self, server_round, arrays, config, grid):
        self.rounds.append({"round": server_round, "t-start": time.time()})
        return super().configure_train(server_round, arrays, config, grid)

    def aggregate_train(self, server_round, replies):
        replies = list(replies)
        rec = self.rounds[-1]
        rec["t-replies"] = time.time()
        rec["clients"] = [dict(r.content["metrics"]) for r in replies if r.has_content()]
        rec["failures"] = sum(1 for r in replies if not r.has_content())
        out = super().aggregate_train(server_round, replies)
        rec["t-aggregated"] = time.time()
        return out


@app.main()
def main(grid: Grid, context: Context):
    t_main = time.time()
    rc = context.run_config
    n = int(rc["num-clients"])
    strategy = TimedFedAvg(fraction_train=1.0, fraction_evaluate=0.0, min_train_nodes=n,
                           min_available_nodes=n)
    result = strategy.start(
        grid=grid,
        initial_arrays=ArrayRecord(make_model().state_dict()),
        num_rounds=int(rc["num-server-rounds"]),
        train_config=ConfigRecord({"lr": float(rc["lr"]), "batch-size": int(rc["batch-size"])}),
    )
    t_end = time.time()
    model = make_model()
    model.load_state_dict(result.arrays.to_torch_state_dict())
    x, y = test_set()
    with torch.no_grad():
        acc = float((model(x).argmax(1) == y).float().mean())
    if rc["out-file"]:
        with open(rc["out-file"], "w") as f:
            json.dump({"t-main": t_main, "t-end": t_end, "test-accuracy": acc, "test-n": len(y),
                       "rounds": strategy.rounds}, f)
'''


def write_app(root):
    pkg = os.path.join(root, "tributarybench")
    os.makedirs(pkg)
    files = {"pyproject.toml": PYPROJECT, "tributarybench/__init__.py": "",
             "tributarybench/task.py": TASK_PY, "tributarybench/client_app.py": CLIENT_PY,
             "tributarybench/server_app.py": SERVER_PY}
    for name, text in files.items():
        with open(os.path.join(root, name), "w") as f:
            f.write(text)


# --------------------------------------------------------------------------------------------
# Process management
# --------------------------------------------------------------------------------------------

BIN = os.path.dirname(sys.executable)  # flwr's console scripts live beside the interpreter


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout, proc):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


class Procs:
    """Processes started here, each in its own session; stopped by process group id."""

    def __init__(self):
        self.procs = []

    def start(self, cmd, log_path, env):
        log = open(log_path, "w")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                             start_new_session=True)
        self.procs.append((p, log))
        return p

    def stop_all(self):
        for p, _ in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 15
        for p, log in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                pass
            # children (SuperExec, ClientApps) share the group; make sure the group is gone
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            log.close()
        self.procs = []


def base_env(home):
    env = dict(os.environ)
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    env["FLWR_HOME"] = home
    env["FLWR_TELEMETRY_ENABLED"] = "0"
    env["FLWR_DISABLE_UPDATE_CHECK"] = "1"
    env["FLWR_DISABLE_RUNTIME_DEPENDENCY_INSTALLATION"] = "1"
    env["PYTHONWARNINGS"] = "ignore"
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # let the ClientApp processes reuse .pyc files
    return env


def count_in_file(path, needle):
    try:
        with open(path, errors="replace") as f:
            return f.read().count(needle)
    except OSError:
        return 0


def run_mode(mode, work):
    """Runs one mode; returns (result dict from the ServerApp, timings dict)."""
    home = os.path.join(work, mode, "home")
    app_dir = os.path.join(work, mode, "app")
    logs = os.path.join(work, mode, "logs")
    for d in (home, logs):
        os.makedirs(d)
    write_app(app_dir)
    out_file = os.path.join(work, mode, "result.json")
    env = base_env(home)
    procs = Procs()
    t = {"t-launch": time.time()}
    try:
        port = free_port()
        cmd = [os.path.join(BIN, "flower-superlink"), "--insecure", "--host", "127.0.0.1",
               "--port", str(port), "--disable-runtime-dependency-installation"]
        if mode == "simulation":
            cmd.append("--simulation")
        link = procs.start(cmd, os.path.join(logs, "superlink.log"), env)
        if not wait_port(port, 60, link):
            raise RuntimeError(f"SuperLink did not come up; see {logs}/superlink.log")
        conn = [f'[superlink]\ndefault = "bench"\n\n[superlink.bench]\n'
                f'address = "127.0.0.1:{port}"\ninsecure = true\n']
        if mode == "deployment":
            for i in range(args.clients):
                procs.start([os.path.join(BIN, "flower-supernode"), "--insecure",
                             "--superlink", f"127.0.0.1:{port}", "--port", str(free_port()),
                             "--node-config", f"partition-id={i} num-partitions={args.clients}"],
                            os.path.join(logs, f"supernode-{i}.log"), env)
            deadline = time.time() + 180
            sl_log = os.path.join(logs, "superlink.log")
            while count_in_file(sl_log, "Activated node_id") < args.clients:
                if time.time() > deadline or link.poll() is not None:
                    raise RuntimeError(f"SuperNodes did not all connect; see {logs}")
                time.sleep(0.2)
        else:
            conn.append(f"options.num-supernodes = {args.clients}\n"
                        "options.backend.client-resources.num-cpus = 1\n"
                        "options.backend.client-resources.num-gpus = 0.0\n")
        with open(os.path.join(home, "config.toml"), "w") as f:
            f.write("".join(conn))
        t["t-ready"] = time.time()
        run_cfg = (f"num-server-rounds={args.rounds} num-clients={args.clients} "
                   f'out-file="{out_file}"')
        with open(os.path.join(logs, "flwr-run.log"), "w") as log:
            rc = subprocess.run([os.path.join(BIN, "flwr"), "run", app_dir, "bench", "--stream",
                                 "--run-config", run_cfg], stdout=log, stderr=subprocess.STDOUT,
                                env=env, timeout=args.timeout).returncode
        # `--stream` returns when the run finishes; allow the ServerApp a moment to flush
        deadline = time.time() + 30
        while not os.path.exists(out_file) and time.time() < deadline:
            time.sleep(0.5)
        if not os.path.exists(out_file):
            raise RuntimeError(f"`flwr run` exited {rc} without a result; see {logs}/flwr-run.log")
        t["t-run-exit"] = time.time()
        with open(out_file) as f:
            return json.load(f), t
    finally:
        procs.stop_all()


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def summarize(mode, res, t):
    rounds = res["rounds"]
    durs = []
    for i, r in enumerate(rounds):
        end = rounds[i + 1]["t-start"] if i + 1 < len(rounds) else r["t-aggregated"]
        durs.append(end - r["t-start"])
    rows = []
    for r, d in zip(rounds, durs):
        cs = r["clients"]
        rows.append({
            "round": r["round"], "wall_s": d, "clients": len(cs), "failures": r["failures"],
            # round start -> train handler entered (median over clients): SuperNode pulls the
            # message, SuperExec starts a `flwr-clientapp` process (Python, torch, flwr and the
            # app imported), the process fetches the message. Flower may start the process
            # before the round (a warm one), so "clientapp_age" is the process age at entry.
            "to_handler_s": med([c["t-enter"] - r["t-start"] for c in cs]),
            "clientapp_age_s": med([c["t-enter"] - c["t-proc-start"] for c in cs]),
            # handler: partition + model build, then reading the global arrays from the message
            "data_s": med([c["t-data"] - c["t-enter"] for c in cs]),
            "arrays_in_s": med([c["t-arrays"] - c["t-data"] for c in cs]),
            "optim_s": med([c["t-fit"] - c["t-arrays"] for c in cs]),
            "local_epoch_s": med([c["t-done"] - c["t-fit"] for c in cs]),
            "last_client_done_s": max(c["t-done"] for c in cs) - r["t-start"],
            # last client done -> all replies at the ServerApp
            "return_s": r["t-replies"] - max(c["t-done"] for c in cs),
            "aggregate_s": r["t-aggregated"] - r["t-replies"],
            "train_loss": sum(c["train-loss"] * c["num-examples"] for c in cs)
            / sum(c["num-examples"] for c in cs),
        })
    steady = [x["wall_s"] for x in rows[1:]]
    return {
        "mode": mode, "flwr": flwr.__version__, "torch": torch.__version__,
        "startup_s": rounds[0]["t-start"] - t["t-launch"],
        "startup_to_servermain_s": res["t-main"] - t["t-ready"],
        "rounds": rows, "warmup_round_s": rows[0]["wall_s"],
        "median_s": med(steady), "min_s": min(steady) if steady else float("nan"),
        "max_s": max(steady) if steady else float("nan"),
        "total_rounds_s": sum(durs), "test_accuracy": res["test-accuracy"],
    }


def main():
    torch.manual_seed(0)
    layers, fan_in = [], 64
    for w in HIDDEN:
        layers += [torch.nn.Linear(fan_in, w), torch.nn.ReLU()]
        fan_in = w
    layers.append(torch.nn.Linear(fan_in, 10))
    n_params = sum(p.numel() for p in torch.nn.Sequential(*layers).parameters())
    modes = ["deployment", "simulation"] if args.mode == "all" else [args.mode]
    if "simulation" in modes and importlib.util.find_spec("ray") is None:
        print(f'bench_flower: --mode simulation needs Ray: pip install "flwr[simulation]=='
              f'{flwr.__version__}"', file=sys.stderr)
        sys.exit(2)
    work = tempfile.mkdtemp(prefix="bench_flower_")
    ok = True
    print(f"flwr {flwr.__version__}, torch {torch.__version__}, python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs; logs in {work}")
    print(f"job: {args.clients} clients x ~{1257 // args.clients} digits examples, MLP "
          f"64-{'-'.join(map(str, HIDDEN))}-10 = {n_params:,} params, 1 local epoch, batch 8, "
          f"SGD lr 0.05, FedAvg, {args.rounds} rounds")
    try:
        for mode in modes:
            load_before = os.getloadavg()[0]
            try:
                res, t = run_mode(mode, work)
            except Exception as e:  # report and go on to the next mode
                print(f"\n[{mode}] FAILED: {e}")
                ok = False
                continue
            s = summarize(mode, res, t)
            desc = {"deployment": f"SuperLink + {args.clients} SuperNodes (separate processes, "
                                  "loopback, insecure), `flwr run`, ClientApp isolation=subprocess",
                    "simulation": f"SuperLink --simulation, Ray backend, {args.clients} virtual "
                                  "SuperNodes, 1 CPU each"}[mode]
            print(f"\n[{mode}] {desc}")
            print(f"  start-up until round 1 starts: {s['startup_s']:.1f} s")
            print("  seconds; client columns are medians over clients: to_handler = round start ->"
                  " ClientApp train() entered,\n  age = ClientApp process age then, data ="
                  " partition + model, arrays_in = global model -> torch,\n"
                  "  optim = building torch.optim.SGD (first one in a process: torch's lazy imports),"
                  " epoch = local epoch, last_done = round start -> slowest client done, return ="
                  " slowest client done -> replies at server")
            print("  round   wall  to_handler   age  data  arrays_in  optim  epoch  last_done  return"
                  "  aggregate  loss")
            for r in s["rounds"]:
                print(f"  {r['round']:5d}  {r['wall_s']:5.2f}  {r['to_handler_s']:10.2f}  "
                      f"{r['clientapp_age_s']:4.1f}  {r['data_s']:4.2f}  {r['arrays_in_s']:9.2f}  {r['optim_s']:5.2f}  "
                      f"{r['local_epoch_s']:5.3f}  {r['last_client_done_s']:9.2f}  "
                      f"{r['return_s']:6.2f}  {r['aggregate_s']:9.3f}  {r['train_loss']:.3f}"
                      + (f"  ({r['failures']} failures)" if r["failures"] else ""))
            print(f"  warm-up round 1: {s['warmup_round_s']:.2f} s")
            print(f"  rounds 2..{len(s['rounds'])}: median {s['median_s']:.2f} s, "
                  f"min {s['min_s']:.2f} s, max {s['max_s']:.2f} s "
                  f"(all {len(s['rounds'])} rounds: {s['total_rounds_s']:.1f} s)")
            print(f"  final test accuracy (30 % held-out split): {s['test_accuracy']:.3f}")
            s["loadavg_1min_before"] = load_before
            s["loadavg_1min_after"] = os.getloadavg()[0]
            print(f"  1-min load average before / after: {load_before:.1f} / "
                  f"{s['loadavg_1min_after']:.1f} on {os.cpu_count()} CPUs (other work on the "
                  "machine inflates round times)")
            if args.json:
                print(json.dumps(s))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
