"""twisted_node.encodings: the manual's "utf8", "ascii" and "binary"."""

from __future__ import annotations

from twisted.trial import unittest

from twisted_node import encodings
from twisted_node.encodings import Decoder, decode, encode, normalize


class Normalize(unittest.TestCase):
    def test_names_and_aliases(self):
        for name, expected in [
            ("utf8", "utf8"),
            ("UTF-8", "utf8"),
            ("ascii", "ascii"),
            ("binary", "binary"),
            ("raw", "binary"),
            ("latin1", "binary"),
        ]:
            self.assertEqual(normalize(name), expected, name)

    def test_default(self):
        self.assertEqual(normalize(None), "ascii")
        self.assertEqual(normalize(None, "utf8"), "utf8")

    def test_unknown_names_what_is_expected(self):
        with self.assertRaises(ValueError) as caught:
            normalize("ucs2")
        message = str(caught.exception)
        self.assertIn("'ucs2'", message)
        for name in encodings.ENCODINGS:
            self.assertIn(f'"{name}"', message)
        self.assertRaises(ValueError, encode, "x", "base64")
        self.assertRaises(ValueError, decode, b"x", "hex")
        self.assertRaises(ValueError, Decoder, "utf16")


class Binary(unittest.TestCase):
    def test_round_trip_of_all_256_byte_values(self):
        data = bytes(range(256))
        text = decode(data, "binary")
        self.assertEqual([ord(c) for c in text], list(range(256)))
        self.assertEqual(encode(text, "binary"), data)
        self.assertEqual(Decoder("binary").decode(data), text)

    def test_writes_low_8_bits_of_wide_chars(self):
        self.assertEqual(encode("\u0141\uffff\u00e9A", "binary"), b"\x41\xff\xe9A")


class Ascii(unittest.TestCase):
    def test_read_clears_the_high_bit(self):
        data = bytes(range(256))
        self.assertEqual([ord(c) for c in decode(data, "ascii")], [b & 0x7F for b in range(256)])
        self.assertEqual(decode(b"\xe9t\xc3\xa9", "ascii"), "it\x43\x29")
        self.assertEqual(Decoder("ascii").decode(b"\xc1B"), "AB")

    def test_write_is_like_binary(self):
        self.assertEqual(encode("caf\u00e9\u0100", "ascii"), b"caf\xe9\x00")


class Utf8(unittest.TestCase):
    def test_round_trip(self):
        text = "plain, \u00e9t\u00e9, \u20ac, \U0001f600"
        self.assertEqual(encode(text, "utf8"), text.encode("utf-8"))
        self.assertEqual(decode(text.encode("utf-8"), "utf8"), text)

    def test_invalid_bytes_become_replacement_characters(self):
        self.assertEqual(decode(b"a\xffb", "utf8"), "a\ufffdb")

    def test_lone_surrogate_never_raises(self):
        self.assertIsInstance(encode("a\ud800b", "utf8"), bytes)

    def test_split_character_arrives_whole(self):
        decoder = Decoder("utf8")
        e_acute = "\u00e9".encode()  # 2 bytes
        self.assertEqual(decoder.decode(b"caf" + e_acute[:1]), "caf")
        self.assertEqual(decoder.decode(e_acute[1:] + b"!"), "\u00e9!")

    def test_four_byte_character_across_three_chunks(self):
        decoder = Decoder("utf-8")
        grin = "\U0001f600".encode()
        chunks = [grin[:1], grin[1:3], grin[3:] + b"x"]
        self.assertEqual([decoder.decode(c) for c in chunks], ["", "", "\U0001f600x"])
        self.assertEqual(decoder.flush(), "")

    def test_byte_at_a_time(self):
        text = "\u4e2d\u6587 \U0001f600 \u00e9"
        decoder = Decoder("utf8")
        data = text.encode()
        self.assertEqual("".join(decoder.decode(data[i : i + 1]) for i in range(len(data))), text)

    def test_flush_partial_character(self):
        decoder = Decoder("utf8")
        self.assertEqual(decoder.decode(b"ok\xe2\x82"), "ok")
        self.assertEqual(decoder.flush(), "\ufffd")

    def test_flush_of_single_byte_encodings(self):
        self.assertEqual(Decoder("binary").flush(), "")
        self.assertEqual(Decoder("ascii").flush(), "")

    def test_decoder_normalizes_its_name(self):
        self.assertEqual(Decoder("UTF-8").encoding, "utf8")
        self.assertEqual(Decoder("latin1").encoding, "binary")
