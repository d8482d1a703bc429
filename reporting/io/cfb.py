"""OLE compound files (.xls, encrypted OOXML, .doc, .ppt, WPS) through ``olefile``, with bounded chains.

olefile 0.47 follows the DIFAT and FAT as far as the header asks (a DIFAT
sector pointing at itself, with a header claiming millions of FAT sectors,
grows the FAT without end) and reads a stream's chain for as many sectors as
its declared size wants, looping sectors included. ``_BoundedOle`` loads the
FAT itself, and walks every chain (directory, mini FAT, mini stream, streams)
before olefile reads it: no chain goes beyond the file's sector count, and a
sector met twice is refused as damage.

What a file is comes from the root storage's own children: a Word document
that embeds a workbook is a Word document.
"""
from __future__ import annotations

import io
import struct
from array import array

import olefile

from reporting.io.common import Refuse, unreadable, unsupported

_END = olefile.ENDOFCHAIN
_FREE = olefile.FREESECT
_UNKNOWN = olefile.UNKNOWN_SIZE


class Corrupt(Exception):
    """A chain or table of the compound file is broken or loops."""


class _BoundedOle(olefile.OleFileIO):
    """OleFileIO whose FAT, DIFAT and sector chains stay within the file."""

    def loadfat(self, header: bytes) -> None:
        nsect = max(0, self.nb_sect)
        per = self.sectorsize // 4
        fat_sectors: list[int] = []
        for sid in struct.unpack_from("<109I", header, 76):
            if sid in (_END, _FREE):
                break
            fat_sectors.append(sid)
        if self.num_difat_sectors:
            if self.num_difat_sectors > nsect or self.num_fat_sectors > nsect:
                raise Corrupt("DIFAT larger than the file")
            sid, seen = self.first_difat_sector, set()
            for _ in range(self.num_difat_sectors):
                if sid in (_END, _FREE):
                    break
                if sid >= nsect or sid in seen:
                    raise Corrupt("DIFAT chain leaves the file or loops")
                seen.add(sid)
                entries = self.sect2array(self.getsect(sid))
                for fat_sid in entries[:per - 1]:
                    if fat_sid in (_END, _FREE):
                        break
                    fat_sectors.append(fat_sid)
                if len(fat_sectors) > nsect:
                    raise Corrupt("more FAT sectors than sectors")
                sid = entries[per - 1]
        if len(fat_sectors) > nsect or len(set(fat_sectors)) != len(fat_sectors):
            raise Corrupt("FAT sectors repeat or outnumber the file")
        fat = array(olefile.olefile.UINT32)
        for sid in fat_sectors:
            if sid >= nsect:
                raise Corrupt("FAT sector beyond the file")
            fat.extend(self.sect2array(self.getsect(sid)))
        self.fat = fat[:nsect] if len(fat) > nsect else fat

    def loadfat_sect(self, sect: object) -> None:  # pragma: no cover - loadfat above does it all
        raise Corrupt("unbounded FAT walk")

    def _open(self, start: int, size: int = _UNKNOWN, force_FAT: bool = False) -> olefile.olefile.OleStream:
        mini = size < self.minisectorcutoff and not force_FAT
        if mini:
            if not self.ministream:
                self.loadminifat()
                self.ministream = self._open(self.root.isectStart, self.root.size, force_FAT=True)
            fat, sector, limit = self.minifat, self.minisectorsize, len(self.minifat)
        else:
            fat, sector, limit = self.fat, self.sectorsize, min(len(self.fat), max(0, self.nb_sect))
        found = _chain_length(fat, start, limit, None if size == _UNKNOWN else -(-size // sector))
        if size != _UNKNOWN:
            size = min(size, found * sector)  # a chain shorter than its stream's size: what there is
        return super()._open(start, size, force_FAT)


def _chain_length(fat: array, start: int, limit: int, wanted: int | None) -> int:
    """Sectors on the chain from ``start`` (at most ``wanted``); beyond ``limit`` or met twice: Corrupt."""
    seen: set[int] = set()
    sid = start
    while sid != _END and (wanted is None or len(seen) < wanted):
        if sid >= limit or sid in seen:
            raise Corrupt("sector chain leaves the file or loops")
        seen.add(sid)
        sid = fat[sid]
    return len(seen)


def workbook_stream(data: bytes) -> bytes:
    """The BIFF stream of an .xls, or the refusal saying what else the compound file is."""
    try:
        ole = _BoundedOle(io.BytesIO(data))
    except (Corrupt, OSError, ValueError, IndexError, struct.error, RecursionError, MemoryError) as exc:
        raise unreadable("reader.ole_corrupt") from exc
    try:
        kids = {kid.name.lower(): kid for kid in ole.root.kids}
        if {"encryptioninfo", "encryptedpackage"} & set(kids):
            raise Refuse("encrypted-file")
        if "worddocument" in kids:
            raise unsupported("reader.word")
        if "powerpoint document" in kids:
            raise unsupported("reader.powerpoint")
        name = next((n for n in ("workbook", "book") if n in kids and kids[n].entry_type == olefile.STGTY_STREAM),
                    None)
        if name is None:
            raise unsupported("reader.ole_other")
        try:
            return ole.openstream([kids[name].name]).read()
        except (Corrupt, OSError, ValueError, IndexError, struct.error, MemoryError) as exc:
            raise unreadable("reader.ole_corrupt") from exc
    finally:
        ole.close()
