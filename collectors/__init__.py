"""finsocial's collectors: one per platform on a common base, plus discovery and the landing zone."""
