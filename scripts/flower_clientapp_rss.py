# Peak RSS of what a Flower ClientApp process does per round on the digits job: import flwr and
# torch, build the 64-320-240-10 MLP (100,250 parameters), one local epoch on 125 examples (batch 8).
import resource, flwr, torch
from flwr.app import ArrayRecord, Message, RecordDict
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(64, 320), torch.nn.ReLU(), torch.nn.Linear(320, 240), torch.nn.ReLU(), torch.nn.Linear(240, 10))
x = torch.randn(125, 64); y = torch.randint(0, 10, (125,))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
for i in range(0, 125, 8):
    opt.zero_grad(); loss = torch.nn.functional.cross_entropy(model(x[i:i+8]), y[i:i+8]); loss.backward(); opt.step()
record = ArrayRecord(model.state_dict())
print("parameters", sum(p.numel() for p in model.parameters()), "peak RSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "kB")
