"""The `distributed` suite's PyTorch peer: bench/distributed/torch_ddp_cnn.py (the seed-CNN epoch) or
torch_ddp_gpt.py (--model gpt: the char-GPT iteration), DDP over gloo, on 1 and 2 processes, 1
thread each; reports the speed-up.
  /usr/bin/python3 bench/suites/distributed/pytorch_ddp.py [--epochs 2 | --model gpt --iters 10]"""
import argparse, json, os, resource, subprocess, sys

HERE = os.path.join(os.path.dirname(__file__), '..', '..', 'distributed')


def run(nproc, a):
    if a.model == 'gpt':
        argv, key = [os.path.join(HERE, 'torch_ddp_gpt.py'), '--iters', str(a.iters)], 'iterSeconds'
    else:
        argv = [os.path.join(HERE, 'torch_ddp_cnn.py'), '--samples', '8004', '--epochs', str(a.epochs)]
        key = 'epochSeconds'
    out = subprocess.run([sys.executable, *argv, '--nproc', str(nproc)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])[key]


if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--epochs', type=int, default=2)
    p.add_argument('--model', default='cnn')
    p.add_argument('--iters', type=int, default=10)
    p.add_argument('--threads', type=int, default=1)  # the harness's flag; always 1 here
    a, _ = p.parse_known_args()
    one, two = run(1, a), run(2, a)
    print(json.dumps({'speedup': one / two, 'oneProcessSeconds': one, 'twoProcessSeconds': two,
                      'maxRssMB': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
