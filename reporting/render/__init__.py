"""Everything written for people: bulletin, forms, feedback, targets workbook, narrative, terminal text."""
