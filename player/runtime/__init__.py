"""The running player: display setup, the frame loop, status reporting."""
