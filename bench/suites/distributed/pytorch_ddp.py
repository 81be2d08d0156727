"""The `distributed` suite's PyTorch peer: bench/distributed/torch_ddp_cnn.py (DDP, gloo) on 1 and
2 processes, 1 thread each; reports the speed-up of the seed-CNN epoch.
  /usr/bin/python3 bench/suites/distributed/pytorch_ddp.py [--epochs 2]"""
import argparse, json, os, resource, subprocess, sys

SCRIPT = os.path.join(os.path.dirname(__file__), '..', '..', 'distributed', 'torch_ddp_cnn.py')


def run(nproc, epochs):
    out = subprocess.run([sys.executable, SCRIPT, '--nproc', str(nproc), '--samples', '8004',
                          '--epochs', str(epochs)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])['epochSeconds']


if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--epochs', type=int, default=2)
    p.add_argument('--threads', type=int, default=1)  # the harness's flag; always 1 here
    a, _ = p.parse_known_args()
    one, two = run(1, a.epochs), run(2, a.epochs)
    print(json.dumps({'speedup': one / two, 'oneProcessSeconds': one, 'twoProcessSeconds': two,
                      'maxRssMB': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
