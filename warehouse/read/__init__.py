"""Reading a built warehouse: named queries and their SQL, number formatting, the text report.
The top floor: may import every floor below; nothing in warehouse imports it."""
