"""PyTorch CPU: seconds for one training epoch of the seed LSTM program on the canonical SpamAssassin
train split (4,837 x 200 token ids): Embedding(10000, 64) -> Dropout(0.2) -> LSTM(128, batch_first)
-> Linear(128, 1), BCEWithLogitsLoss (sigmoid + binary cross-entropy), Adam lr 1e-3 eps 1e-7, batch 32,
shuffled. torch's nn.LSTM has no recurrent dropout, so only the input dropout (0.2) is applied; it
also has two bias vectors per gate where Keras has one (512 more parameters).
Times the first --samples samples (default all), scaled to the epoch.

python3 bench/suites/lstm-epoch/pytorch.py [--samples 320]
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
import torch  # noqa: E402
from torch import nn  # noqa: E402
from peers import blas_info, load_spam_train, parse_args, thread_count, time_torch_epoch  # noqa: E402
from torch_cnn import blas_summary  # noqa: E402

args = parse_args()
threads = thread_count()
torch.set_num_threads(threads)
torch.manual_seed(1)

ids, labels = load_spam_train()
n = labels.size
samples = min(n, int(args.get('samples', n)))
x = torch.from_numpy(ids).long()
y = torch.from_numpy(labels).float()


class SpamLstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(10000, 64)
        self.dropout = nn.Dropout(0.2)
        self.lstm = nn.LSTM(64, 128, batch_first=True)
        self.dense = nn.Linear(128, 1)

    def forward(self, tokens):
        _, (h, _) = self.lstm(self.dropout(self.embedding(tokens)))
        return self.dense(h[-1]).squeeze(1)  # logits; the sigmoid is in the loss


model = SpamLstm()
model.train()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
loss_fn = nn.BCEWithLogitsLoss()


time_torch_epoch('lstm-epoch', model, optimizer, loss_fn, x, y, samples, n,
                 correct=lambda out, yb: int(((out > 0).float() == yb).sum()),
                 extra=lambda: {'params': sum(p.numel() for p in model.parameters()),
                               'threads': torch.get_num_threads(),
                               'runtime': {'torch': torch.__version__, 'blas': blas_info(),
                                            'torchBlas': blas_summary()}})
