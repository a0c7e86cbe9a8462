"""Infrastructure, the bottom floor: data paths, the writers' lock, durable file writes, fault injection, CSV checks.
Imports nothing of warehouse; every other floor may import it."""
