// mp::Object: Python's value semantics. Every expected repr/str/hash below was printed by python3.11.
#include "expect_error.hpp"
#include <QTest>
#include <mp/object.hpp>

#include <cmath>
#include <limits>
#include <sstream>

namespace geometry {
struct Point {
    double x = 0;
    double y = 0;
};
MP_OBJECT_FIELDS(Point, x, y)
} // namespace geometry

struct Record {
    std::string name;
    std::int32_t count = 0;
    std::vector<int> values;
    std::optional<geometry::Point> where;
};
MP_OBJECT_FIELDS(Record, name, count, values, where)

namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

using test_support::throws_with;

} // namespace

class TestObject : public QObject {
    Q_OBJECT
private slots:
    void construction() {
        QVERIFY(mp::Object().is_none());
        QVERIFY(mp::Object(mp::None).is_none());
        QCOMPARE(mp::Object(true).kind(), mp::ObjectKind::Bool);
        QCOMPARE(mp::Object(std::int8_t(-3)).as_int(), -3);
        QCOMPARE(mp::Object(std::uint16_t(65535)).as_int(), 65535);
        QCOMPARE(mp::Object(42L).kind(), mp::ObjectKind::Int);
        QCOMPARE(mp::Object(std::numeric_limits<std::int64_t>::min()).as_int(),
                 std::numeric_limits<std::int64_t>::min());
        const mp::Object big(std::numeric_limits<std::uint64_t>::max());
        QVERIFY(big.is_big_int());
        QCOMPARE(q(big.repr()), QString("18446744073709551615"));
        QCOMPARE(mp::Object(std::uint64_t(7)).kind(), mp::ObjectKind::Int);
        QCOMPARE(mp::Object(2.5f).as_float(), 2.5);
        QCOMPARE(q(mp::Object("abc").as_str()), QString("abc"));
        QCOMPARE(q(mp::Object(std::string("x")).as_str()), QString("x"));
        QCOMPARE(q(mp::Object(std::string_view("sv")).as_str()), QString("sv"));
        QVERIFY(mp::Object::bytes("ab").is_bytes());
        QVERIFY(mp::Object::bytearray("ab").is_bytearray());
        QCOMPARE(mp::Object::list({1, "a"}).size(), size_t(2));
        QCOMPARE(q(mp::Object::tuple(1, "a", 2.5).repr()), QString("(1, 'a', 2.5)"));
        QCOMPARE(q(mp::Object::tuple().repr()), QString("()"));
        QCOMPARE(q(mp::Object::dict({{"a", 1}, {"b", mp::None}}).repr()), QString("{'a': 1, 'b': None}"));
        QCOMPARE(q(mp::Object::set({1, 2, 1, 1.0, true}).repr()), QString("{1, 2}"));
        QCOMPARE(q(mp::Object::frozenset({3}).repr()), QString("frozenset({3})"));
        QCOMPARE(q(mp::Object::parse_int(" -1_000_000_000_000_000_000_000 ").repr()),
                 QString("-1000000000000000000000"));
        QCOMPARE(mp::Object::parse_int("12").kind(), mp::ObjectKind::Int);
        QVERIFY(throws_with<mp::ValueError>([] { mp::Object::parse_int("1__0"); },
                                            "invalid literal for int() with base 10: '1__0'"));
        // Python 3.11's limit on decimal conversions (quadratic time).
        QCOMPARE(mp::Object::parse_int(std::string(4300, '9')).repr(), std::string(4300, '9'));
        QVERIFY(throws_with<mp::ValueError>(
            [] { mp::Object::parse_int(std::string(4301, '1')); },
            "Exceeds the limit (4300 digits) for integer string conversion: value "
            "has 4301 digits; use sys.set_int_max_str_digits() to increase the limit"));
        QVERIFY(throws_with<mp::ValueError>(
            [] { (void)mp::Object(mp::BigInt::from_twos_complement(std::string(2000, '\x7f'))).repr(); },
            "Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() "
            "to "
            "increase the limit"));
        QCOMPARE(mp::Object(mp::BigInt::from_twos_complement(std::string(1785, '\x7f'))).repr().size(),
                 size_t(4299));
        QVERIFY(throws_with<mp::ValueError>(
            [] { (void)mp::Object(mp::BigInt::from_twos_complement(std::string(1786, '\x7f'))).repr(); },
            "Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() "
            "to "
            "increase the limit"));
        QVERIFY(throws_with<mp::ValueError>([] { mp::Object::parse_int("x"); },
                                            "invalid literal for int() with base 10: 'x'"));
        QVERIFY(throws_with<mp::TypeError>([] { mp::Object(static_cast<const char*>(nullptr)); },
                                           "a null const char* is not a str"));

        const mp::Handle handle{"Connection", "seg", {1, 0}, {5}};
        const mp::Object h(handle);
        QCOMPARE(q(h.type_name()), QString("Connection"));
        QVERIFY(h.as_handle() == handle);
        QCOMPARE(q(h.repr()), QString("<Connection handle name='seg' ints=[1, 0] fds=[5]>"));
        const mp::Object e(mp::ExceptionValue{"ValueError", "bad", ""});
        QCOMPARE(q(e.type_name()), QString("ValueError"));
        QCOMPARE(q(e.repr()), QString("ValueError('bad')"));
        QCOMPARE(q(e.str()), QString("bad"));
        QCOMPARE(q(mp::Object(mp::ExceptionValue{"ValueError", "", ""}).repr()), QString("ValueError()"));
    }

    void typeNames() {
        QCOMPARE(q(mp::Object().type_name()), QString("NoneType"));
        QCOMPARE(q(mp::Object(false).type_name()), QString("bool"));
        QCOMPARE(q(mp::Object(1).type_name()), QString("int"));
        QCOMPARE(q(mp::Object::parse_int("99999999999999999999").type_name()), QString("int"));
        QCOMPARE(q(mp::Object(1.0).type_name()), QString("float"));
        QCOMPARE(q(mp::Object("").type_name()), QString("str"));
        QCOMPARE(q(mp::Object::bytes("").type_name()), QString("bytes"));
        QCOMPARE(q(mp::Object::bytearray("").type_name()), QString("bytearray"));
        QCOMPARE(q(mp::Object::list().type_name()), QString("list"));
        QCOMPARE(q(mp::Object::tuple().type_name()), QString("tuple"));
        QCOMPARE(q(mp::Object::dict().type_name()), QString("dict"));
        QCOMPARE(q(mp::Object::set().type_name()), QString("set"));
        QCOMPARE(q(mp::Object::frozenset().type_name()), QString("frozenset"));
    }

    void accessErrors() {
        const mp::Object s("text");
        QVERIFY(throws_with<mp::TypeError>([&] { (void)s.as_int(); }, "expected int, got str"));
        QVERIFY(throws_with<mp::TypeError>([&] { (void)s.as_float(); }, "expected float, got str"));
        QVERIFY(throws_with<mp::TypeError>([&] { (void)s.items(); }, "expected list or tuple, got str"));
        QVERIFY(throws_with<mp::TypeError>([&] { (void)mp::Object(1).as_str(); }, "expected str, got int"));
        QVERIFY(throws_with<mp::TypeError>([&] { (void)mp::Object(1).as_bool(); }, "expected bool, got int"));
        QVERIFY(throws_with<mp::TypeError>([&] { (void)mp::Object(1).as_dict(); }, "expected dict, got int"));
        QVERIFY(
            throws_with<mp::TypeError>([&] { (void)mp::Object::list().as_set(); }, "expected set, got list"));
        QVERIFY(throws_with<mp::TypeError>([&] { (void)s.as_bytes(); }, "expected bytes, got str"));
        QVERIFY(throws_with<mp::TypeError>([&] { (void)s.as_handle(); }, "expected handle, got str"));
        QVERIFY(throws_with<mp::TypeError>([&] { (void)s.as_exception(); }, "expected exception, got str"));
        QVERIFY(
            throws_with<mp::TypeError>([] { mp::Object::tuple().append(1); }, "expected list, got tuple"));
        QVERIFY(throws_with<mp::TypeError>([] { (void)mp::Object(3).size(); },
                                           "object of type 'int' has no len()"));
        QVERIFY(
            throws_with<mp::IndexError>([] { (void)mp::Object::list({1})[1]; }, "list index out of range"));
        QVERIFY(
            throws_with<mp::IndexError>([] { (void)mp::Object::tuple()[0]; }, "tuple index out of range"));
        const mp::Object big = mp::Object::parse_int("9223372036854775808");
        QVERIFY(throws_with<mp::OverflowError>([&] { (void)big.as_int(); },
                                               "Python int too large to convert to int64_t"));
        QCOMPARE(big.as_float(), 9223372036854775808.0);
        const mp::Object huge = mp::Object::parse_int("1" + std::string(400, '0'));
        QVERIFY(throws_with<mp::OverflowError>([&] { (void)huge.as_float(); },
                                               "int too large to convert to float"));

        QCOMPARE(mp::Object(true).as_int(), 1);
        QCOMPARE(mp::Object(3).as_float(), 3.0);
        QCOMPARE(q(mp::Object::bytearray("xy").as_bytes()), QString("xy"));
        QCOMPARE(mp::Object::frozenset({1}).as_set().size(), size_t(1));
    }

    void sizesAndTruth() {
        QCOMPARE(mp::Object("h\xc3\xa9llo\xf0\x9f\x98\x80").size(), size_t(6)); // len('héllo😀') == 6
        QCOMPARE(mp::Object::bytes("h\xc3\xa9").size(), size_t(3));
        QCOMPARE(mp::Object::dict({{1, 2}}).size(), size_t(1));
        QVERIFY(!mp::Object().truthy());
        QVERIFY(!mp::Object(0).truthy());
        QVERIFY(!mp::Object(-0.0).truthy());
        QVERIFY(mp::Object(std::nan("")).truthy());
        QVERIFY(!mp::Object("").truthy());
        QVERIFY(mp::Object(" ").truthy());
        QVERIFY(!mp::Object::tuple().truthy());
        QVERIFY(mp::Object::list({mp::None}).truthy());
        QVERIFY(!mp::Object::set().truthy());
        QVERIFY(mp::Object::parse_int("-99999999999999999999").truthy());
    }

    void mutation() {
        mp::Object l = mp::Object::list();
        l.append(1);
        l.append("two");
        l[0] = 3.5;
        QCOMPARE(q(l.repr()), QString("[3.5, 'two']"));
        l.items().push_back(mp::Object::list({7}));
        l = l[2]; // the new value lives inside the old one
        QCOMPARE(q(l.repr()), QString("[7]"));
        mp::Object nested = mp::Object::list({mp::Object::list({mp::Object::tuple(1, 2)})});
        nested = std::move(nested[0]);
        QCOMPARE(q(nested.repr()), QString("[(1, 2)]"));
        mp::Object moved_from = mp::Object::list({1});
        mp::Object target = std::move(moved_from);
        QVERIFY(moved_from.is_none()); // NOLINT(bugprone-use-after-move): documented state
        QCOMPARE(q(target.repr()), QString("[1]"));
        mp::Object copy = target;
        copy.append(2);
        QCOMPARE(q(target.repr()), QString("[1]")); // value semantics
        mp::Object h = mp::Handle{"Lock", "", {}, {3}};
        h.as_handle().fds[0] = 9;
        QCOMPARE(h.as_handle().fds[0], 9);
    }

    void equality() {
        QVERIFY(mp::Object(1) == mp::Object(1.0));
        QVERIFY(mp::Object(1.0) == mp::Object(true));
        QVERIFY(mp::Object(0) == mp::Object(false));
        QVERIFY(mp::Object(0.0) == mp::Object(-0.0));
        QVERIFY(!(mp::Object(1) == mp::Object("1")));
        QVERIFY(!(mp::Object() == mp::Object(0)));
        QVERIFY(!(mp::Object(std::nan("")) == mp::Object(std::nan(""))));
        QVERIFY(!(mp::Object::list({1}) == mp::Object::tuple(1)));
        QVERIFY(mp::Object::list({1, 2.0}) == mp::Object::list({1.0, 2}));
        QVERIFY(mp::Object::set({1, 2}) == mp::Object::frozenset({2, 1}));
        QVERIFY(mp::Object::bytes("a") == mp::Object::bytearray("a"));
        QVERIFY(!(mp::Object::bytes("a") == mp::Object("a")));
        QVERIFY(mp::Object::dict({{"a", 1}, {"b", 2}}) == mp::Object::dict({{"b", 2}, {"a", 1.0}}));
        QVERIFY(!(mp::Object::dict({{"a", 1}}) == mp::Object::dict({{"a", 2}})));
        // Exact int/float comparison: 2**53 + 1 != 2.0**53, 2**64 == 2.0**64.
        QVERIFY(!(mp::Object(9007199254740993LL) == mp::Object(9007199254740992.0)));
        QVERIFY(mp::Object(9007199254740992LL) == mp::Object(9007199254740992.0));
        QVERIFY(mp::Object::parse_int("18446744073709551616") == mp::Object(18446744073709551616.0));
        QVERIFY(!(mp::Object::parse_int("18446744073709551617") == mp::Object(18446744073709551616.0)));
        QVERIFY(mp::Object::parse_int("-9223372036854775808") == mp::Object(-9223372036854775807LL - 1));
        QVERIFY(!(mp::Object(9223372036854775807LL) == mp::Object(9223372036854775808.0)));
        QVERIFY(!(mp::Object(std::numeric_limits<double>::infinity()) ==
                  mp::Object::parse_int("1" + std::string(400, '0'))));
        QVERIFY(mp::Object(mp::ExceptionValue{"KeyError", "'k'", ""}) ==
                mp::Object(mp::ExceptionValue{"KeyError", "'k'", ""}));
        QVERIFY(mp::Object(1) == 1);
        QVERIFY(mp::Object("x") == "x");
    }

    void hashing() {
        // Values printed by python3.11: hash(1.5), hash(-1), hash(-1.0), hash(2**64), hash(-(2**64)),
        // hash(2.0**64), hash(1e300), hash(0.1), hash(-2**63), hash(2**61-1), hash(2**61), hash(1e-300).
        QCOMPARE(mp::Object(1.5).hash(), 1152921504606846977LL);
        QCOMPARE(mp::Object(-1).hash(), -2LL);
        QCOMPARE(mp::Object(-1.0).hash(), -2LL);
        QCOMPARE(mp::Object::parse_int("18446744073709551616").hash(), 8LL);
        QCOMPARE(mp::Object::parse_int("-18446744073709551616").hash(), -8LL);
        QCOMPARE(mp::Object(18446744073709551616.0).hash(), 8LL);
        QCOMPARE(mp::Object(1e300).hash(), 1224995262755759164LL);
        QCOMPARE(mp::Object(0.1).hash(), 230584300921369408LL);
        QCOMPARE(mp::Object(std::numeric_limits<std::int64_t>::min()).hash(), -4LL);
        QCOMPARE(mp::Object(-9223372036854775808.0).hash(), -4LL);
        QCOMPARE(mp::Object((1LL << 61) - 1).hash(), 0LL);
        QCOMPARE(mp::Object(1LL << 61).hash(), 1LL);
        QCOMPARE(mp::Object(-0.0).hash(), 0LL);
        QCOMPARE(mp::Object(1e-300).hash(), 482449582752280463LL);
        QCOMPARE(mp::Object(std::numeric_limits<double>::infinity()).hash(), 314159LL);
        QCOMPARE(mp::Object(true).hash(), mp::Object(1).hash());
        QCOMPARE(mp::Object::tuple(1, "a").hash(), mp::Object::tuple(1.0, "a").hash());
        QCOMPARE(mp::Object::frozenset({1, 2, 3}).hash(), mp::Object::frozenset({3, 2, 1.0}).hash());
        QCOMPARE(mp::Object("abc").hash(), mp::Object(std::string("abc")).hash());
        QVERIFY(
            throws_with<mp::TypeError>([] { (void)mp::Object::list().hash(); }, "unhashable type: 'list'"));
        QVERIFY(
            throws_with<mp::TypeError>([] { (void)mp::Object::dict().hash(); }, "unhashable type: 'dict'"));
        QVERIFY(throws_with<mp::TypeError>([] { (void)mp::Object::set().hash(); }, "unhashable type: 'set'"));
        QVERIFY(throws_with<mp::TypeError>([] { (void)mp::Object::bytearray("").hash(); },
                                           "unhashable type: 'bytearray'"));
        QVERIFY(throws_with<mp::TypeError>([] { (void)mp::Object::tuple(1, mp::Object::list()).hash(); },
                                           "unhashable type: 'list'"));
        QVERIFY(throws_with<mp::TypeError>([] { mp::Object::set({mp::Object::dict()}); },
                                           "unhashable type: 'dict'"));
        QCOMPARE(std::hash<mp::Object>{}(mp::Object(5)), std::size_t(5));
    }

    void floatRepr_data() {
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("expected");
        const std::pair<double, const char*> cases[] = {
            {0.1111111111111111, "0.1111111111111111"},
            {double(float(3.1415927)), "3.1415927410125732"},
            {3.1415927, "3.1415927"},
            {1e16, "1e+16"},
            {1e-5, "1e-05"},
            {1e-4, "0.0001"},
            {1e15, "1000000000000000.0"},
            {123456789012345678.0, "1.2345678901234568e+17"},
            {1.0, "1.0"},
            {-0.0, "-0.0"},
            {0.0, "0.0"},
            {1.5, "1.5"},
            {2.5e-7, "2.5e-07"},
            {5e-324, "5e-324"},
            {1.7976931348623157e308, "1.7976931348623157e+308"},
            {std::numeric_limits<double>::infinity(), "inf"},
            {-std::numeric_limits<double>::infinity(), "-inf"},
            {std::nan(""), "nan"},
            {0.1 + 0.2, "0.30000000000000004"},
            {1.0 / 3, "0.3333333333333333"},
            {100.0, "100.0"},
            {1e22, "1e+22"},
            {12345.678, "12345.678"},
            {-1.25e-10, "-1.25e-10"},
            {9999999999999998.0, "9999999999999998.0"},
        };
        for (const auto& [value, expected] : cases)
            QTest::newRow(expected) << value << QString(expected);
    }
    void floatRepr() {
        QFETCH(double, value);
        QFETCH(QString, expected);
        QCOMPARE(q(mp::Object(value).repr()), expected);
        QCOMPARE(q(mp::Object(value).str()), expected);
    }

    void strRepr_data() {
        QTest::addColumn<QByteArray>("utf8");
        QTest::addColumn<QString>("expected");
        // Expected texts are Python's repr() output (UTF-8 where Python prints the character itself).
        const std::pair<std::string, std::string> cases[] = {
            {"hello", "'hello'"},
            {"it's", "\"it's\""},
            {"say \"hi\"", "'say \"hi\"'"},
            {"both ' and \"", "'both \\' and \"'"},
            {"tab\there\nnew\rcr\\", "'tab\\there\\nnew\\rcr\\\\'"},
            {std::string("\x00\x07\x7f", 3), "'\\x00\\x07\\x7f'"},
            {"\xc3\xa9", "'\xc3\xa9'"},                 // é printable
            {"\xe2\x80\x8b", "'\\u200b'"},              // zero width space: format char
            {"\xc2\xad", "'\\xad'"},                    // soft hyphen
            {"\xc2\xa0", "'\\xa0'"},                    // no-break space
            {"\xf0\x9f\x98\x80", "'\xf0\x9f\x98\x80'"}, // emoji printable
            {"\xf3\xa0\x80\x81", "'\\U000e0001'"},      // language tag
            {"\xed\xa0\x80", "'\\ud800'"},              // lone surrogate (surrogatepass)
            {"\xe4\xb8\xad\xe6\x96\x87", "'\xe4\xb8\xad\xe6\x96\x87'"},
            {"\xc2\x80\xc2\x9f", "'\\x80\\x9f'"},
            {"\xff", "'\\udcff'"}, // invalid UTF-8 shows as Python's surrogateescape would hold it
            {"", "''"},
        };
        for (const auto& [text, expected] : cases)
            QTest::newRow(expected.c_str()) << QByteArray(text.data(), qsizetype(text.size())) << q(expected);
    }
    void strRepr() {
        QFETCH(QByteArray, utf8);
        QFETCH(QString, expected);
        const mp::Object s(utf8.toStdString());
        QCOMPARE(q(s.repr()), expected);
        QCOMPARE(q(s.str()), q(utf8.toStdString()));
    }

    void bytesRepr() {
        QCOMPARE(q(mp::Object::bytes(std::string("\x00"
                                                 "ab",
                                                 3))
                       .repr()),
                 QString("b'\\x00ab'"));
        QCOMPARE(q(mp::Object::bytes("it's").repr()), QString("b\"it's\""));
        QCOMPARE(q(mp::Object::bytes("\"").repr()), QString("b'\"'"));
        QCOMPARE(q(mp::Object::bytes("both ' \"").repr()), QString("b'both \\' \"'"));
        QCOMPARE(q(mp::Object::bytes("\t\n\r\\\x7f\x80\xff").repr()),
                 QString("b'\\t\\n\\r\\\\\\x7f\\x80\\xff'"));
        QCOMPARE(q(mp::Object::bytes("").repr()), QString("b''"));
        QCOMPARE(q(mp::Object::bytearray("x\x01").repr()), QString("bytearray(b'x\\x01')"));
        QCOMPARE(q(mp::Object::bytearray("").repr()), QString("bytearray(b'')"));
        QCOMPARE(q(mp::Object::bytearray("it's").repr()), QString("bytearray(b\"it\\'s\")"));
        QCOMPARE(q(mp::Object::bytearray("a\"b").repr()), QString("bytearray(b'a\"b')"));
        QCOMPARE(q(mp::Object::bytearray("'\"").repr()), QString("bytearray(b'\\'\"')"));
        QCOMPARE(q(mp::Object::bytes("ab").str()), QString("b'ab'"));
    }

    void containerRepr() {
        QCOMPARE(q(mp::Object::list({42, mp::None, "hello"}).repr()), QString("[42, None, 'hello']"));
        QCOMPARE(q(mp::Object::dict({{1, "1"}, {0.25, mp::None}}).repr()), QString("{1: '1', 0.25: None}"));
        QCOMPARE(q(mp::Object::tuple(1).repr()), QString("(1,)"));
        QCOMPARE(q(mp::Object::set().repr()), QString("set()"));
        QCOMPARE(q(mp::Object::frozenset().repr()), QString("frozenset()"));
        QCOMPARE(q(mp::Object::set({1, 2, 3}).repr()), QString("{1, 2, 3}"));
        QCOMPARE(q(mp::Object::list().repr()), QString("[]"));
        QCOMPARE(q(mp::Object::dict().repr()), QString("{}"));
        QCOMPARE(q(mp::Object(true).repr()), QString("True"));
        QCOMPARE(q(mp::Object(false).str()), QString("False"));
        QCOMPARE(q(mp::Object().str()), QString("None"));
        QCOMPARE(q(mp::Object::list({"a'b", mp::Object::bytes("c")}).str()), QString("[\"a'b\", b'c']"));
        QCOMPARE(q(mp::Object::parse_int("18446744073709551616").repr()), QString("18446744073709551616"));
        QCOMPARE(q(mp::Object::parse_int("-9223372036854775809").repr()), QString("-9223372036854775809"));
        QCOMPARE(q(mp::Object::parse_int("1" + std::string(40, '0')).repr()), q("1" + std::string(40, '0')));
        QCOMPARE(q(mp::Object::parse_int("-1" + std::string(30, '0')).repr()),
                 q("-1" + std::string(30, '0')));
        std::ostringstream out;
        out << mp::Object::list({"x"}) << ' ' << mp::Object("x");
        QCOMPARE(q(out.str()), QString("['x'] x"));
    }

    void dictOrderingAndAccess() {
        mp::Dict d;
        d.set("b", 1);
        d.set("a", 2);
        d.set(3, 3);
        d.set("b", 4); // replacing keeps the position
        std::vector<std::string> keys;
        for (const auto& [k, v] : d)
            keys.push_back(k.repr());
        QCOMPARE(keys, (std::vector<std::string>{"'b'", "'a'", "3"}));
        QCOMPARE(d.at("b").as_int(), 4);
        d.set(3.0, "three"); // 3.0 == 3: the original key object stays
        QCOMPARE(q(mp::Object::dict(d).repr()), QString("{'b': 4, 'a': 2, 3: 'three'}"));
        QVERIFY(d.erase("a"));
        QVERIFY(!d.erase("a"));
        QCOMPARE(q(mp::Object::dict(d).repr()), QString("{'b': 4, 3: 'three'}"));
        QVERIFY(d.contains(3));
        QVERIFY(d.contains(true) == false);
        QVERIFY(d.find("zz") == nullptr);
        QVERIFY(d["new"].is_none()); // operator[] inserts None
        QCOMPARE(d.size(), size_t(3));
        QVERIFY(throws_with<mp::KeyError>([&] { (void)d.at("missing"); }, "'missing'"));
        const mp::Dict& cd = d;
        QVERIFY(throws_with<mp::KeyError>([&] { (void)cd.at(mp::Object::tuple(1)); }, "(1,)"));
        QVERIFY(throws_with<mp::TypeError>([&] { d.set(mp::Object::list(), 1); }, "unhashable type: 'list'"));
        // Many keys, then erase from the middle: the index stays consistent.
        mp::Dict many;
        for (int i = 0; i < 1000; ++i)
            many.set(i, i * 2);
        for (int i = 0; i < 1000; i += 3)
            QVERIFY(many.erase(i));
        for (int i = 0; i < 1000; ++i) {
            const mp::Object* v = many.find(double(i));
            QCOMPARE(v != nullptr, i % 3 != 0);
            if (v) QCOMPARE(v->as_int(), i * 2);
        }
        QCOMPARE(many.begin()->first.as_int(), 1);
        mp::Dict python_order; // {1: 'a', True: 'b'} == {1: 'b'}
        python_order.set(1, "a");
        python_order.set(true, "b");
        QCOMPARE(q(mp::Object::dict(python_order).repr()), QString("{1: 'b'}"));
        mp::Object od = mp::Object::dict();
        od.as_dict()["k"] = mp::Object::list({1});
        od.as_dict().at("k").append(2);
        QCOMPARE(q(od.repr()), QString("{'k': [1, 2]}"));
    }

    void setBehaviour() {
        mp::Set s;
        QVERIFY(s.add(1));
        QVERIFY(!s.add(1.0));
        QVERIFY(s.add("x"));
        QVERIFY(s.add(mp::Object::tuple(1, 2)));
        QVERIFY(s.contains(mp::Object::tuple(1.0, 2)));
        QVERIFY(s.contains(true));
        QVERIFY(s.erase(1));
        QVERIFY(!s.contains(true));
        QCOMPARE(q(mp::Object::set(s).repr()), QString("{'x', (1, 2)}"));
        QCOMPARE(q(mp::Object::frozenset(s).repr()), QString("frozenset({'x', (1, 2)})"));
        QVERIFY(throws_with<mp::TypeError>([&] { s.add(mp::Object::set()); }, "unhashable type: 'set'"));
        QVERIFY(
            mp::Object::set({mp::Object::frozenset({1})}).as_set().contains(mp::Object::frozenset({1.0})));
    }

    void conversions() {
        QCOMPARE(mp::from_object<int>(mp::Object(7)), 7);
        QCOMPARE(mp::from_object<std::uint8_t>(mp::Object(255)), std::uint8_t(255));
        QCOMPARE(mp::from_object<std::int8_t>(mp::Object(-128)), std::int8_t(-128));
        QCOMPARE(mp::from_object<long>(mp::Object(true)), 1L);
        QVERIFY(throws_with<mp::OverflowError>([] { mp::from_object<std::uint8_t>(mp::Object(256)); },
                                               "Python int too large to convert to uint8_t"));
        QVERIFY(throws_with<mp::OverflowError>([] { mp::from_object<std::int8_t>(mp::Object(-129)); },
                                               "Python int too large to convert to int8_t"));
        QVERIFY(throws_with<mp::OverflowError>([] { mp::from_object<unsigned>(mp::Object(-1)); },
                                               "can't convert negative int to unsigned"));
        QVERIFY(throws_with<mp::OverflowError>([] { mp::from_object<std::int32_t>(mp::Object(1LL << 31)); },
                                               "Python int too large to convert to int32_t"));
        QCOMPARE(mp::from_object<std::uint64_t>(mp::to_object(std::numeric_limits<std::uint64_t>::max())),
                 std::numeric_limits<std::uint64_t>::max());
        QVERIFY(throws_with<mp::OverflowError>(
            [] { mp::from_object<std::uint64_t>(mp::Object::parse_int("18446744073709551616")); },
            "Python int too large to convert to uint64_t"));
        QVERIFY(throws_with<mp::OverflowError>(
            [] { mp::from_object<std::uint64_t>(mp::Object::parse_int("-18446744073709551616")); },
            "can't convert negative int to unsigned"));
        QVERIFY(throws_with<mp::OverflowError>(
            [] { mp::from_object<std::int64_t>(mp::Object::parse_int("9223372036854775808")); },
            "Python int too large to convert to int64_t"));
        QVERIFY(throws_with<mp::TypeError>([] { mp::from_object<int>(mp::Object(1.5)); },
                                           "expected int, got float"));
        QCOMPARE(mp::from_object<double>(mp::Object(2)), 2.0);
        QCOMPARE(mp::from_object<float>(mp::Object(0.5)), 0.5f);
        QCOMPARE(mp::from_object<bool>(mp::Object(true)), true);
        QCOMPARE(mp::from_object<std::string>(mp::Object("s")), std::string("s"));
        QVERIFY(throws_with<mp::TypeError>([] { mp::from_object<std::string>(mp::Object::bytes("s")); },
                                           "expected str, got bytes"));

        const std::vector<int> v{1, 2, 3};
        QCOMPARE(q(mp::to_object(v).repr()), QString("[1, 2, 3]"));
        QCOMPARE(mp::from_object<std::vector<int>>(mp::Object::tuple(1, 2)), (std::vector<int>{1, 2}));
        QVERIFY(throws_with<mp::TypeError>([] { mp::from_object<std::vector<int>>(mp::Object("ab")); },
                                           "expected list or tuple, got str"));
        QVERIFY(throws_with<mp::TypeError>(
            [] {
                mp::from_object<std::vector<int>>(mp::Object::list({1, "x"}));
            },
            "expected int, got str"));
        const std::array<double, 2> arr{0.5, 1.5};
        QCOMPARE(q(mp::to_object(arr).repr()), QString("[0.5, 1.5]"));
        QVERIFY((mp::from_object<std::array<double, 2>>(mp::Object::list({1, 2})) ==
                 std::array<double, 2>{1, 2}));
        QVERIFY(throws_with<mp::ValueError>(
            [] {
                mp::from_object<std::array<int, 2>>(mp::Object::list({1, 2, 3}));
            },
            "too many values to unpack (expected 2)"));
        QVERIFY(throws_with<mp::ValueError>(
            [] {
                mp::from_object<std::array<int, 3>>(mp::Object::list({1, 2}));
            },
            "not enough values to unpack (expected 3, got 2)"));
        const auto p = std::make_pair(std::string("k"), 2.5);
        QCOMPARE(q(mp::to_object(p).repr()), QString("('k', 2.5)"));
        QVERIFY((mp::from_object<std::pair<std::string, double>>(mp::to_object(p)) == p));
        const auto t = std::make_tuple(1, std::string("a"), std::vector<bool>{true, false});
        QCOMPARE(q(mp::to_object(t).repr()), QString("(1, 'a', [True, False])"));
        QVERIFY((mp::from_object<decltype(t)>(mp::to_object(t)) == t));
        const std::map<std::string, int> m{{"b", 2}, {"a", 1}};
        QCOMPARE(q(mp::to_object(m).repr()), QString("{'a': 1, 'b': 2}"));
        QVERIFY((mp::from_object<std::map<std::string, int>>(mp::to_object(m)) == m));
        const std::unordered_map<int, std::string> um{{1, "x"}};
        QVERIFY((mp::from_object<std::unordered_map<int, std::string>>(mp::to_object(um)) == um));
        const std::set<int> s{3, 1};
        QCOMPARE(q(mp::to_object(s).repr()), QString("{1, 3}"));
        QVERIFY(mp::from_object<std::set<int>>(mp::Object::frozenset({1, 3})) == s);
        QVERIFY(mp::to_object(std::optional<int>{}).is_none());
        QCOMPARE(mp::from_object<std::optional<int>>(mp::Object(4)), std::optional<int>(4));
        QCOMPARE(mp::from_object<std::optional<int>>(mp::Object()), std::optional<int>());
        QCOMPARE(q(mp::to_object("lit").repr()), QString("'lit'"));
        QCOMPARE(q(mp::to_object(std::string_view("sv")).repr()), QString("'sv'"));
        const mp::Handle h{"Queue", "seg", {16}, {}};
        QVERIFY(mp::from_object<mp::Handle>(mp::to_object(h)) == h);
        const mp::ExceptionValue e{"OSError", "gone", "tb"};
        QVERIFY(mp::from_object<mp::ExceptionValue>(mp::to_object(e)) == e);
        QVERIFY(mp::from_object<mp::Object>(mp::Object(1)) == mp::Object(1));
    }

    void userStruct() {
        const geometry::Point p{1.5, -2.0};
        const mp::Object o = mp::to_object(p);
        QCOMPARE(q(o.repr()), QString("(1.5, -2.0)"));
        const auto back = mp::from_object<geometry::Point>(mp::Object::tuple(3, 4.25));
        QCOMPARE(back.x, 3.0);
        QCOMPARE(back.y, 4.25);
        QVERIFY(throws_with<mp::ValueError>([] { mp::from_object<geometry::Point>(mp::Object::tuple(1)); },
                                            "not enough values to unpack (expected 2, got 1)"));
        QVERIFY(throws_with<mp::TypeError>([] { mp::from_object<geometry::Point>(mp::Object(1)); },
                                           "expected list or tuple, got int"));
        const Record r{"r", 3, {1, 2}, geometry::Point{0, 1}};
        const mp::Object ro = mp::to_object(r);
        QCOMPARE(q(ro.repr()), QString("('r', 3, [1, 2], (0.0, 1.0))"));
        const Record rb = mp::from_object<Record>(ro);
        QCOMPARE(rb.name, r.name);
        QCOMPARE(rb.count, 3);
        QCOMPARE(rb.values, r.values);
        QVERIFY(rb.where && rb.where->y == 1.0);
        QVERIFY(!mp::from_object<Record>(mp::Object::tuple("n", 1, mp::Object::list(), mp::None)).where);
        QVERIFY(throws_with<mp::OverflowError>(
            [] { mp::from_object<Record>(mp::Object::tuple("n", 1LL << 40, mp::Object::list(), mp::None)); },
            "Python int too large to convert to int32_t"));
    }

    void argsTuple() {
        const std::string name = "w";
        QCOMPARE(q(mp::args(1, "a", 2.5, name, std::vector<int>{}, mp::None).repr()),
                 QString("(1, 'a', 2.5, 'w', [], None)"));
        QCOMPARE(q(mp::args().repr()), QString("()"));
        QCOMPARE(q(mp::args(geometry::Point{1, 2}).repr()), QString("((1.0, 2.0),)"));
    }

    void exceptionValues() {
        const auto capture = [](auto thrower) {
            try {
                thrower();
            } catch (...) {
                return mp::ExceptionValue::current();
            }
            return mp::ExceptionValue{};
        };
        auto e = capture([] { throw mp::KeyError("'k'"); });
        QCOMPARE(q(e.type), QString("KeyError"));
        QCOMPARE(q(e.message), QString("'k'"));
        QCOMPARE(q(capture([] { throw mp::SystemError(2, "open"); }).type), QString("OSError"));
        QCOMPARE(q(capture([] { throw std::invalid_argument("x"); }).type), QString("ValueError"));
        QCOMPARE(q(capture([] { throw std::domain_error("x"); }).type), QString("ValueError"));
        QCOMPARE(q(capture([] { throw std::out_of_range("x"); }).type), QString("IndexError"));
        QCOMPARE(q(capture([] { throw std::overflow_error("x"); }).type), QString("OverflowError"));
        QCOMPARE(q(capture([] { throw std::bad_alloc(); }).type), QString("MemoryError"));
        QCOMPARE(q(capture([] { throw std::logic_error("x"); }).type), QString("RuntimeError"));
        const auto unknown = capture([] { throw 42; });
        QCOMPARE(q(unknown.type), QString("Exception"));
        QCOMPARE(q(unknown.message), QString("unknown C++ exception"));
        QCOMPARE(q(mp::ExceptionValue::current().type), QString("RuntimeError"));

        QVERIFY(throws_with<mp::ZeroDivisionError>(
            [] {
                mp::ExceptionValue{"ZeroDivisionError", "division by zero", ""}.raise();
            },
            "division by zero"));
        QVERIFY(throws_with<mp::MemoryError>(
            [] {
                mp::ExceptionValue{"MemoryError", "m", ""}.raise();
            },
            "m"));
        QVERIFY(throws_with<mp::RemoteError>(
            [] {
                mp::ExceptionValue{"Weird", "w", ""}.raise();
            },
            "Weird: w"));
    }

    void bigIntBytes() {
        // CPython's LONG1 payloads (SPEC §15.4): 2**31, -2**31-1, -2**63, 2**64, -128, 255, -1.
        const auto twos = [](const char* decimal) {
            return mp::BigInt::from_decimal(decimal).to_twos_complement();
        };
        QCOMPARE(twos("2147483648"), std::string("\x00\x00\x00\x80\x00", 5));
        QCOMPARE(twos("-2147483649"), std::string("\xff\xff\xff\x7f\xff", 5));
        QCOMPARE(twos("-9223372036854775808"), std::string("\x00\x00\x00\x00\x00\x00\x00\x80", 8));
        QCOMPARE(twos("18446744073709551616"), std::string("\x00\x00\x00\x00\x00\x00\x00\x00\x01", 9));
        QCOMPARE(twos("-128"), std::string("\x80", 1));
        QCOMPARE(twos("255"), std::string("\xff\x00", 2));
        QCOMPARE(twos("-1"), std::string("\xff", 1));
        QCOMPARE(twos("0"), std::string());
        for (const char* text : {"0", "1", "-1", "127", "128", "-128", "-129", "255", "256", "-32768",
                                 "-32769", "9223372036854775807", "-9223372036854775808",
                                 "18446744073709551615", "-340282366920938463463374607431768211456"}) {
            const auto big = mp::BigInt::from_decimal(text);
            QCOMPARE(q(mp::BigInt::from_twos_complement(big.to_twos_complement()).to_decimal()),
                     QString(text));
        }
        QCOMPARE(mp::BigInt::from_twos_complement(std::string("\xff\xff\xff", 3)).to_int64(),
                 std::optional<std::int64_t>(-1));
        QCOMPARE(q(mp::BigInt::from_double(-1e20)->to_decimal()), QString("-100000000000000000000"));
        QVERIFY(!mp::BigInt::from_double(0.5));
    }
};

QTEST_APPLESS_MAIN(TestObject)
#include "tst_object.moc"
