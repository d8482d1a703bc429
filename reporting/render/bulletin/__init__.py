"""The bulletin workbook (通报), written with XlsxWriter: one module per sheet, in the order of ``registry``."""

from reporting.render.bulletin.workbook import write_bulletin

__all__ = ["write_bulletin"]
