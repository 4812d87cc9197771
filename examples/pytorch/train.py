"""An isofold worker in PyTorch: a small MLP on scikit-learn's digits, one fold per process.

    scripts/run.sh --gpus none --param hidden=32,128 --param lr=0.01 -- /usr/bin/python3 examples/pytorch/train.py

isofold starts this script once per attempt, with the attempt in its environment (docs/worker-contract.md).
It reads the fold contract (ISOFOLD_FOLD, ISOFOLD_FOLDS, ISOFOLD_SPLIT_SEED), the variant's params
(ISOFOLD_PARAMS), and the replicate's seed (ISOFOLD_SEED); appends one line per epoch to
ISOFOLD_PROGRESS; saves a checkpoint in ISOFOLD_CHECKPOINT_DIR after every epoch and continues from it when
an earlier attempt of its replicate was killed (docs/checkpoints.md); and writes its result to
ISOFOLD_RESULT whole, or not at all. Started ahead of its task (--standby) it imports torch and loads the
data, then waits for its task. Params it cannot use end it with exit status 2: a bad task, not retried.
"""
import json
import os
import signal
import sys
import time

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold

PARAMS = {"hidden": 64, "lr": 0.01, "epochs": 10, "batch_size": 64}  # the defaults; ISOFOLD_PARAMS overrides
NEWEST, PREVIOUS = "checkpoint.pt", "checkpoint-previous.pt"
DIRECTIONS = {"val_loss": "min", "val_accuracy": "max", "train_loss": "min", "train_accuracy": "max",
              "train_seconds": "min"}

started = time.monotonic()
stop = []  # SIGTERM or SIGINT: the handler only takes note; the training loop saves and exits
signal.signal(signal.SIGTERM, lambda signum, frame: stop.append(signum))
signal.signal(signal.SIGINT, lambda signum, frame: stop.append(signum))


def bad_task(reason):
    """Exit status 2: isofold does not retry this attempt, stops the run and shows this line."""
    print(f"train.py: bad task: {reason}", file=sys.stderr)
    sys.exit(2)


def wait_for_task(handoff):
    """A standby: wait for the handoff file, then take the attempt's variables from it."""
    supervisor = int(os.environ.get("ISOFOLD_SUPERVISOR_PID", "0"))
    checked = time.monotonic()
    while not os.path.exists(handoff):  # written whole and renamed into place: once it exists it is complete
        time.sleep(0.01)
        if stop:
            sys.exit(128 + stop[0])
        if supervisor and time.monotonic() - checked > 1:  # no task will come from a dead supervisor
            checked = time.monotonic()
            try:
                os.kill(supervisor, 0)
            except ProcessLookupError:
                sys.exit(3)
    with open(handoff) as f:
        os.environ.update(json.load(f)["env"])
    del os.environ["ISOFOLD_STANDBY"]


def read_params():
    try:
        given = json.loads(os.environ.get("ISOFOLD_PARAMS") or "{}")
    except ValueError as e:
        bad_task(f"ISOFOLD_PARAMS is not JSON ({e})")
    unknown = sorted(set(given) - set(PARAMS))
    if unknown:
        bad_task(f"unknown params {unknown}; this worker takes {sorted(PARAMS)}")
    params = {**PARAMS, **given}
    for name in ("hidden", "epochs", "batch_size"):
        value = params[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer() or value < 1:
            bad_task(f"{name} must be a whole number of at least 1, got {value!r}")
        params[name] = int(value)
    lr = params["lr"]
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr < 10:
        bad_task(f"lr must be a number between 0 and 10, got {lr!r}")
    return params


def write_json_atomically(path, value):
    """Whole or not at all: a reader (or a kill) never sees half a file."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(value, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Checkpoints:
    """docs/checkpoints.md's protocol: saved whole, the previous one kept, verified on load."""

    def __init__(self, folder, made_for):
        self.folder = folder  # None: no checkpoints (no ISOFOLD_CHECKPOINT_DIR)
        self.made_for = made_for
        self.newest_is_good = False  # a newest that did not load is replaced, not kept as the previous

    def path(self, name):
        return os.path.join(self.folder, name)

    def load(self):
        """The newest checkpoint that loads and was made for this training, else the previous one, else None."""
        if self.folder is None:
            return None
        for name in (NEWEST, PREVIOUS):
            if not os.path.exists(self.path(name)):
                continue
            try:
                state = torch.load(self.path(name), map_location="cpu")  # a torn file fails its zip's checksums
            except Exception as e:
                print(f"train.py: checkpoint {self.path(name)} not used: {e}", file=sys.stderr)
                continue
            if state.get("made_for") != self.made_for:
                print(f"train.py: checkpoint {self.path(name)} not used: made for another training "
                      f"({state.get('made_for')}, not {self.made_for})", file=sys.stderr)
                continue
            self.newest_is_good = name == NEWEST
            return state
        return None

    def save(self, state):
        if self.folder is None:
            return
        try:
            with open(self.path(NEWEST + ".tmp"), "wb") as f:
                torch.save({**state, "made_for": self.made_for}, f)
                f.flush()
                os.fsync(f.fileno())
            if self.newest_is_good:
                os.replace(self.path(NEWEST), self.path(PREVIOUS))
            os.replace(self.path(NEWEST + ".tmp"), self.path(NEWEST))
            folder = os.open(self.folder, os.O_RDONLY)  # the renames themselves to disk
            os.fsync(folder)
            os.close(folder)
            self.newest_is_good = True
        except OSError as e:  # a full disk: say so and train on; the last good checkpoint stays
            print(f"train.py: checkpoint not saved ({e}); training goes on", file=sys.stderr)


def evaluate(model, x, y):
    with torch.no_grad():
        logits = model(x)
        return (torch.nn.functional.cross_entropy(logits, y).item(),
                (logits.argmax(1) == y).float().mean().item())


def main():
    # The slow part first, so that a standby has it done when its task comes: torch is imported above.
    features, labels = load_digits(return_X_y=True)
    if "ISOFOLD_STANDBY" in os.environ:
        wait_for_task(os.environ["ISOFOLD_STANDBY"])
    env = os.environ
    params = read_params()
    fold, folds = int(env["ISOFOLD_FOLD"]), int(env["ISOFOLD_FOLDS"])
    split_seed, seed = int(env["ISOFOLD_SPLIT_SEED"]), int(env["ISOFOLD_SEED"])

    # The fold contract: split with ISOFOLD_SPLIT_SEED (the same for every variant and fold of a shuffle),
    # never with ISOFOLD_SEED (different for every replicate), and take fold ISOFOLD_FOLD of the split.
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=split_seed)
    train_index, val_index = list(split.split(features, labels))[fold]
    # what this fold validated on, for anyone who wants to check the split (the example's test does)
    write_json_atomically(os.path.join(env["ISOFOLD_ATTEMPT_DIR"], "validation_indices.json"),
                          val_index.tolist())

    # CUDA_VISIBLE_DEVICES is the slot's one GPU (empty on a CPU slot): torch calls it cuda:0
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    x = torch.tensor(features / 16.0, dtype=torch.float32, device=device)
    y = torch.tensor(labels, dtype=torch.long, device=device)
    x_train, y_train, x_val, y_val = x[train_index], y[train_index], x[val_index], y[val_index]

    torch.manual_seed(seed)  # the replicate's seed: the model's initial weights
    model = torch.nn.Sequential(torch.nn.Linear(64, params["hidden"]), torch.nn.ReLU(),
                                torch.nn.Linear(params["hidden"], 10)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=params["lr"])
    order = torch.Generator().manual_seed(seed)  # the batch order, drawn anew each epoch

    checkpoints = Checkpoints(env.get("ISOFOLD_CHECKPOINT_DIR") or None,
                              {"model": env["ISOFOLD_MODEL"], "params": params, "fold": fold, "folds": folds,
                               "split_seed": split_seed, "seed": seed})
    state = checkpoints.load()
    progress = open(env["ISOFOLD_PROGRESS"], "a", buffering=1)
    continued = None
    if state is None:
        state = {"epoch": 0, "batch": 0, "seconds": 0.0, "history": []}
    else:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        order.set_state(state["order_generator"])
        continued = {"epoch": state["epoch"], "batch": state["batch"], "restored_seconds": state["seconds"]}
        progress.write(json.dumps({"phase": "continued", "seconds": round(time.monotonic() - started, 3),
                                   **continued}) + "\n")

    def snapshot():
        return {**state, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "order_generator": order.get_state()}

    batch_size = params["batch_size"]
    clock = time.monotonic() - state["seconds"]  # training seconds go on from the checkpoint's
    while state["epoch"] < params["epochs"]:
        if state["batch"] == 0:  # a fresh epoch; a checkpoint taken mid-epoch holds its order and sums
            state.update(permutation=torch.randperm(len(train_index), generator=order), loss_sum=0.0, correct=0)
        batches = state["permutation"].split(batch_size)
        model.train()
        for b in range(state["batch"], len(batches)):
            if stop:  # SIGTERM: save at this batch boundary, then exit
                state.update(batch=b, seconds=time.monotonic() - clock)
                checkpoints.save(snapshot())
                sys.exit(128 + stop[0])
            rows = batches[b].to(device)
            logits = model(x_train[rows])
            loss = torch.nn.functional.cross_entropy(logits, y_train[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            state["loss_sum"] += loss.item() * len(rows)
            state["correct"] += (logits.argmax(1) == y_train[rows]).sum().item()
        model.eval()
        val_loss, val_accuracy = evaluate(model, x_val, y_val)
        line = {"epoch": state["epoch"] + 1, "loss": state["loss_sum"] / len(train_index),
                "accuracy": state["correct"] / len(train_index), "val_loss": val_loss,
                "val_accuracy": val_accuracy, "seconds": round(time.monotonic() - clock, 3)}
        state.update(epoch=state["epoch"] + 1, batch=0, seconds=line["seconds"], history=state["history"] + [line])
        checkpoints.save(snapshot())  # before the epoch's line: the line promises its checkpoint
        progress.write(json.dumps(line) + "\n")

    last = state["history"][-1]
    result = {
        "metrics": {"val_loss": last["val_loss"], "val_accuracy": last["val_accuracy"],
                    "train_loss": last["loss"], "train_accuracy": last["accuracy"],
                    "train_seconds": state["seconds"]},
        "directions": DIRECTIONS,
        "device": f"gpu {torch.cuda.get_device_name(device)}" if device.type == "cuda" else "cpu",
        "history": state["history"],
    }
    if continued:
        result["continued_from"] = continued
    write_json_atomically(env["ISOFOLD_RESULT"], result)


if __name__ == "__main__":
    main()
