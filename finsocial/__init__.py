"""finsocial: an open benchmark of how financial institutions show up on social media."""
