"""Publishing above the warehouse: the monthly report as Markdown, HTML and PDF with its charts, and the alerts after each night."""
