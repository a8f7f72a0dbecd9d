"""Helper of scripts/check-onnx.sh (run in its venv, with onnxruntime and numpy).

  check_onnx.py make-data DIR
      train.csv, held-out.csv (raw: column 1 on a scale of ~1,000), train-std.csv and
      held-out-std.csv (standardised with the training data's mean and population std, as
      Tributary's Standardizer fits them). Seeded; values written as float32 that read back exactly.
  check_onnx.py compare MODEL.onnx FEATURES.csv TRIBUTARY.csv
      runs MODEL with onnxruntime on FEATURES.csv's feature columns (the label is last) and
      compares with `tributary predict`'s CSV: the class of every row (argmax of the
      probabilities, or of a regression model's prediction) must be equal and every probability
      (prediction) within 1e-5. Exit 1 otherwise. Models with several outputs per row only.
"""
import sys

import numpy as np

TOLERANCE = 1e-5


def write_csv(path, features, labels):
    with open(path, "w") as f:
        f.write("a,pressure,c,d,label\n")
        for row, label in zip(features.astype(np.float32), labels):
            f.write(",".join(str(np.float32(v)) for v in row) + f",{label}\n")


def make_data(folder):
    rng = np.random.default_rng(7)
    centres = np.array([[0.0, 880.0, 0.5, -0.5], [1.2, 1000.0, -0.6, 0.4], [-1.1, 1120.0, 0.2, 0.9]])
    scale = np.array([0.8, 90.0, 0.8, 0.8])

    def draw(count):
        labels = rng.integers(0, 3, size=count)
        features = centres[labels] + rng.standard_normal((count, 4)) * scale
        return features.astype(np.float32), labels

    train, train_labels = draw(600)
    held_out, held_out_labels = draw(300)
    wide = train.astype(np.float64)
    mean = wide.mean(axis=0)
    std = np.sqrt(np.maximum((wide * wide).mean(axis=0) - mean * mean, 0))
    std[std <= 1e-6] = 1
    write_csv(f"{folder}/train.csv", train, train_labels)
    write_csv(f"{folder}/held-out.csv", held_out, held_out_labels)
    write_csv(f"{folder}/train-std.csv", (train - mean) / std, train_labels)
    write_csv(f"{folder}/held-out-std.csv", (held_out - mean) / std, held_out_labels)
    print(f"data: 600 training and 300 held-out rows; column 'pressure' mean {mean[1]:.1f}, std {std[1]:.1f}")


def compare(model_path, features_path, tributary_path):
    import onnxruntime as ort

    data = np.loadtxt(features_path, delimiter=",", skiprows=1, dtype=np.float64)
    features, labels = data[:, :-1].astype(np.float32), data[:, -1].astype(np.int64)
    expected = np.loadtxt(tributary_path, delimiter=",", skiprows=1, dtype=np.float64)
    expected_classes, expected_probabilities = expected[:, 1].astype(np.int64), expected[:, 2:].astype(np.float32)

    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    meta = session.get_modelmeta()
    inputs = [(i.name, i.shape, i.type) for i in session.get_inputs()]
    outputs = [o.name for o in session.get_outputs()]
    print(f"{model_path}: producer {meta.producer_name} {meta.custom_metadata_map.get('tributary.version')}, "
          f"version {meta.version}, input {inputs}, outputs {outputs}")
    print(f"  preprocessing: {meta.custom_metadata_map.get('tributary.preprocessing')}")
    # A classifier's probabilities, or a regression model's prediction: what `tributary predict` prints.
    name = "prediction" if outputs == ["prediction"] else "probabilities"
    (probabilities,) = session.run([name], {"features": features})

    failures = []
    if probabilities.shape != expected_probabilities.shape:
        failures.append(f"{name} have shape {probabilities.shape}, Tributary's {expected_probabilities.shape}")
    else:
        classes = probabilities.argmax(axis=1)
        differ = np.flatnonzero(classes != expected_classes)
        if differ.size:
            r = differ[0]
            failures.append(f"{differ.size} of {len(classes)} rows predict another class; row {r}: onnxruntime {classes[r]} "
                            f"{probabilities[r].tolist()}, Tributary {expected_classes[r]} {expected_probabilities[r].tolist()}")
        gap = np.abs(probabilities - expected_probabilities)
        worst = np.unravel_index(gap.argmax(), gap.shape)
        if gap.max() > TOLERANCE:
            failures.append(f"{name} row {worst[0]} column {worst[1]}: onnxruntime {probabilities[worst]}, "
                            f"Tributary {expected_probabilities[worst]} (difference {gap.max():.3g} > {TOLERANCE})")
        accuracy = float((classes == labels).mean())
        print(f"  {len(classes)} rows: classes equal on {len(classes) - differ.size}, largest {name} difference "
              f"{gap.max():.3g} (tolerance {TOLERANCE}); accuracy against the labels {accuracy * 100:.1f}%")
        if accuracy < 0.7:
            failures.append(f"accuracy {accuracy * 100:.1f}% against the labels: the model learned nothing, the check proves little")
    for failure in failures:
        print(f"  MISMATCH: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "make-data":
        make_data(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "compare":
        sys.exit(compare(*sys.argv[2:]))
    else:
        sys.exit(__doc__)
