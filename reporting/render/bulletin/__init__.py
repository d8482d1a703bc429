"""The bulletin workbook (通报), written with XlsxWriter."""
