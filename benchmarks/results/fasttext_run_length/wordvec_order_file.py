"""Write the text wordvec reads in 5 epochs with --streams 2 and 4 KiB blocks as one file, so that
any tool reading it in file order for 1 epoch reads wordvec's order (a block that ends inside a line
gets a line end, as wordvec ends a sentence there): python wordvec_order_file.py CORPUS OUT."""
import sys

from wordvec.text.corpus import TextBlocks

blocks = TextBlocks(sys.argv[1], block_bytes=4096)
with open(sys.argv[2], "wb") as out:
    for epoch in range(5):
        for block in blocks.interleaved(2):
            out.write(block if block.endswith(b"\n") else block + b"\n")
