"""``python -m wordvec.distributed``: data-parallel training with torch.distributed (run it with torchrun)."""
import sys

from .command import main

sys.exit(main())
