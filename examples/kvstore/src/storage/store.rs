// kvstore storage (demo file)
