from .cli import run

# Guarded: processes started with spawn or forkserver (the dev server's search index) import
# the parent's __main__ under another name, and must not run the command again.
if __name__ == "__main__":
    run()
