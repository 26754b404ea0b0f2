// Pickle: byte-exact protocol 4 output (SPEC §15.3/§15.4 golden vectors, printed by python3.11's
// pickle.dumps(v, protocol=4)), reading of protocols 2-5, and every way a malformed pickle is refused.
#include "expect_error.hpp"
#include "pickle_internal.hpp"
#include <QTest>
#include <mp/pickle.hpp>

#include <cmath>

Q_DECLARE_METATYPE(mp::Object)

namespace {

using mp::Object;

std::string unhex(std::string_view hex) {
    std::string out;
    int high = -1;
    for (const char c : hex) {
        int v;
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else {
            continue;
        }
        if (high < 0) {
            high = v;
        } else {
            out += static_cast<char>(high * 16 + v);
            high = -1;
        }
    }
    return out;
}

QString hex(const std::string& bytes) {
    return QString::fromLatin1(QByteArray(bytes.data(), qsizetype(bytes.size())).toHex(' '));
}

std::uint64_t fnv1a(std::string_view data) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const char c : data)
        h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    return h;
}

Object big(const char* decimal) {
    return Object::parse_int(decimal);
}
Object exc(const char* type, const char* message) {
    return Object(mp::ExceptionValue{type, message, ""});
}

using test_support::throws_with;

bool refused(const std::string& bytes, const std::string& message) {
    return throws_with<mp::UnpicklingError>([&] { mp::pickle::loads(bytes); }, message);
}

std::string range_list(int n) {
    std::vector<Object> items;
    for (int i = 0; i < n; ++i)
        items.emplace_back(i);
    return mp::pickle::dumps(Object::list(std::move(items)));
}

} // namespace

class TestPickle : public QObject {
    Q_OBJECT
private slots:
    void goldenVectors_data() {
        QTest::addColumn<Object>("value");
        QTest::addColumn<QString>("bytes");
        const auto row = [](const char* name, Object value, const char* bytes) {
            QTest::newRow(name) << value << QString(bytes);
        };
        // SPEC §15.4 and §15.3 first, then further values checked the same way.
        row("True", true, "80 04 88 2e");
        row("0", 0, "80 04 4b 00 2e");
        row("1.5", 1.5, "80 04 95 0a 00 00 00 00 00 00 00 47 3f f8 00 00 00 00 00 00 2e");
        row("'a'", "a", "80 04 95 05 00 00 00 00 00 00 00 8c 01 61 94 2e");
        row("b'ab'", Object::bytes("ab"), "80 04 95 06 00 00 00 00 00 00 00 43 02 61 62 94 2e");
        row("[1,2,3]", Object::list({1, 2, 3}),
            "80 04 95 0b 00 00 00 00 00 00 00 5d 94 28 4b 01 4b 02 4b 03 65 2e");
        row("(1,2)", Object::tuple(1, 2), "80 04 95 07 00 00 00 00 00 00 00 4b 01 4b 02 86 94 2e");
        row("{'a':1,'b':2}", Object::dict({{"a", 1}, {"b", 2}}),
            "80 04 95 11 00 00 00 00 00 00 00 7d 94 28 8c 01 61 94 4b 01 8c 01 62 94 4b 02 75 2e");
        row("()", Object::tuple(), "80 04 29 2e");
        row("{}", Object::dict(), "80 04 7d 94 2e");
        row("None", Object(), "80 04 4e 2e");
        row("[]", Object::list(), "80 04 5d 94 2e");
        row("256", 256, "80 04 95 04 00 00 00 00 00 00 00 4d 00 01 2e");
        row("-1", -1, "80 04 95 06 00 00 00 00 00 00 00 4a ff ff ff ff 2e");
        row("2**31", 2147483648LL, "80 04 95 08 00 00 00 00 00 00 00 8a 05 00 00 00 80 00 2e");
        row("-2**31-1", -2147483649LL, "80 04 95 08 00 00 00 00 00 00 00 8a 05 ff ff ff 7f ff 2e");
        row("-2**63", INT64_MIN, "80 04 95 0b 00 00 00 00 00 00 00 8a 08 00 00 00 00 00 00 00 80 2e");
        row("2**64", big("18446744073709551616"),
            "80 04 95 0c 00 00 00 00 00 00 00 8a 09 00 00 00 00 00 00 00 00 01 2e");
        row("('a','a')", Object::tuple("a", "a"),
            "80 04 95 09 00 00 00 00 00 00 00 8c 01 61 94 68 00 86 94 2e");
        row("(None,'dummy',(),{})", Object::tuple(mp::None, "dummy", Object::tuple(), Object::dict()),
            "80 04 95 10 00 00 00 00 00 00 00 28 4e 8c 05 64 75 6d 6d 79 94 29 7d 94 74 94 2e");
        row("('#RETURN', None)", Object::tuple("#RETURN", mp::None),
            "80 04 95 0e 00 00 00 00 00 00 00 8c 07 23 52 45 54 55 52 4e 94 4e 86 94 2e");
        row("ValueError('bad')", exc("ValueError", "bad"),
            "80 04 95 25 00 00 00 00 00 00 00 8c 08 62 75 69 6c 74 69 6e 73 94 8c 0a 56 61 6c 75 65 45 72 72 "
            "6f 72 "
            "94 93 94 8c 03 62 61 64 94 85 94 52 94 2e");

        row("False", false, "80 04 89 2e");
        row("255", 255, "80 04 4b ff 2e");
        row("65535", 65535, "80 04 95 04 00 00 00 00 00 00 00 4d ff ff 2e");
        row("65536", 65536, "80 04 95 06 00 00 00 00 00 00 00 4a 00 00 01 00 2e");
        row("2**31-1", 2147483647, "80 04 95 06 00 00 00 00 00 00 00 4a ff ff ff 7f 2e");
        row("-2**31", -2147483648LL, "80 04 95 06 00 00 00 00 00 00 00 4a 00 00 00 80 2e");
        row("2**63-1", INT64_MAX, "80 04 95 0b 00 00 00 00 00 00 00 8a 08 ff ff ff ff ff ff ff 7f 2e");
        row("-2**100", big("-1267650600228229401496703205376"),
            "80 04 95 10 00 00 00 00 00 00 00 8a 0d 00 00 00 00 00 00 00 00 00 00 00 00 f0 2e");
        row("-0.0", -0.0, "80 04 95 0a 00 00 00 00 00 00 00 47 80 00 00 00 00 00 00 00 2e");
        row("inf", INFINITY, "80 04 95 0a 00 00 00 00 00 00 00 47 7f f0 00 00 00 00 00 00 2e");
        row("''", "", "80 04 95 04 00 00 00 00 00 00 00 8c 00 94 2e");
        row("b''", Object::bytes(""), "80 04 95 04 00 00 00 00 00 00 00 43 00 94 2e");
        row("'\xc3\xa9'", "\xc3\xa9", "80 04 95 06 00 00 00 00 00 00 00 8c 02 c3 a9 94 2e");
        row("[1]", Object::list({1}), "80 04 95 06 00 00 00 00 00 00 00 5d 94 4b 01 61 2e");
        row("(1,)", Object::tuple(1), "80 04 95 05 00 00 00 00 00 00 00 4b 01 85 94 2e");
        row("(1,2,3)", Object::tuple(1, 2, 3), "80 04 95 09 00 00 00 00 00 00 00 4b 01 4b 02 4b 03 87 94 2e");
        row("(1,2,3,4)", Object::tuple(1, 2, 3, 4),
            "80 04 95 0c 00 00 00 00 00 00 00 28 4b 01 4b 02 4b 03 4b 04 74 94 2e");
        row("{1:None}", Object::dict({{1, mp::None}}),
            "80 04 95 07 00 00 00 00 00 00 00 7d 94 4b 01 4e 73 2e");
        row("[{'k':1},{'k':2}]", Object::list({Object::dict({{"k", 1}}), Object::dict({{"k", 2}})}),
            "80 04 95 15 00 00 00 00 00 00 00 5d 94 28 7d 94 8c 01 6b 94 4b 01 73 7d 94 68 02 4b 02 73 65 "
            "2e");
        row("ValueError()", exc("ValueError", ""),
            "80 04 95 1e 00 00 00 00 00 00 00 8c 08 62 75 69 6c 74 69 6e 73 94 8c 0a 56 61 6c 75 65 45 72 72 "
            "6f 72 "
            "94 93 94 29 52 94 2e");
        row("KeyError('k')", exc("KeyError", "k"),
            "80 04 95 21 00 00 00 00 00 00 00 8c 08 62 75 69 6c 74 69 6e 73 94 8c 08 4b 65 79 45 72 72 6f 72 "
            "94 93 "
            "94 8c 01 6b 94 85 94 52 94 2e");
        row("[ValueError('a'),TypeError('b'),ValueError('c')]",
            Object::list({exc("ValueError", "a"), exc("TypeError", "b"), exc("ValueError", "c")}),
            "80 04 95 49 00 00 00 00 00 00 00 5d 94 28 8c 08 62 75 69 6c 74 69 6e 73 94 8c 0a 56 61 6c 75 65 "
            "45 72 "
            "72 6f 72 94 93 94 8c 01 61 94 85 94 52 94 68 01 8c 09 54 79 70 65 45 72 72 6f 72 94 93 94 8c 01 "
            "62 94 "
            "85 94 52 94 68 03 8c 01 63 94 85 94 52 94 65 2e");
        row("queue.Empty()", exc("Empty", ""),
            "80 04 95 17 00 00 00 00 00 00 00 8c 06 5f 71 75 65 75 65 94 8c 05 45 6d 70 74 79 94 93 94 29 52 "
            "94 2e");
        row("multiprocessing.TimeoutError('t')", exc("TimeoutError", "t"),
            "80 04 95 34 00 00 00 00 00 00 00 8c 17 6d 75 6c 74 69 70 72 6f 63 65 73 73 69 6e 67 2e 63 6f 6e "
            "74 65 "
            "78 74 94 8c 0c 54 69 6d 65 6f 75 74 45 72 72 6f 72 94 93 94 8c 01 74 94 85 94 52 94 2e");
        row("ValueError('x') with traceback", Object(mp::ExceptionValue{"ValueError", "x", "tb"}),
            "80 04 95 38 00 00 00 00 00 00 00 8c 08 62 75 69 6c 74 69 6e 73 94 8c 0a 56 61 6c 75 65 45 72 72 "
            "6f 72 "
            "94 93 94 8c 01 78 94 85 94 52 94 7d 94 8c 09 74 72 61 63 65 62 61 63 6b 94 8c 02 74 62 94 73 62 "
            "2e");
        row("bytearray(b'ab')", Object::bytearray("ab"),
            "80 04 95 23 00 00 00 00 00 00 00 8c 08 62 75 69 6c 74 69 6e 73 94 8c 09 62 79 74 65 61 72 72 61 "
            "79 94 "
            "93 94 43 02 61 62 94 85 94 52 94 2e");
        row("bytearray()", Object::bytearray(""),
            "80 04 95 1d 00 00 00 00 00 00 00 8c 08 62 75 69 6c 74 69 6e 73 94 8c 09 62 79 74 65 61 72 72 61 "
            "79 94 "
            "93 94 29 52 94 2e");
        row("[b'a',bytearray(b'a'),bytearray(b'ab'),b'ab']",
            Object::list(
                {Object::bytes("a"), Object::bytearray("a"), Object::bytearray("ab"), Object::bytes("ab")}),
            "80 04 95 3a 00 00 00 00 00 00 00 5d 94 28 43 01 61 94 8c 08 62 75 69 6c 74 69 6e 73 94 8c 09 62 "
            "79 74 "
            "65 61 72 72 61 79 94 93 94 43 01 61 94 85 94 52 94 68 04 43 02 61 62 94 85 94 52 94 43 02 61 62 "
            "94 65 "
            "2e");
        row("{1,2}", Object::set({1, 2}), "80 04 95 09 00 00 00 00 00 00 00 8f 94 28 4b 01 4b 02 90 2e");
        row("{1}", Object::set({1}), "80 04 95 07 00 00 00 00 00 00 00 8f 94 28 4b 01 90 2e");
        row("set()", Object::set(), "80 04 8f 94 2e");
        row("frozenset({1})", Object::frozenset({1}), "80 04 95 06 00 00 00 00 00 00 00 28 4b 01 91 94 2e");
        row("frozenset()", Object::frozenset(), "80 04 95 04 00 00 00 00 00 00 00 28 91 94 2e");
        row("[set(),frozenset(),b'',b'','','']",
            Object::list({Object::set(), Object::frozenset(), Object::bytes(""), Object::bytes(""), "", ""}),
            "80 04 95 14 00 00 00 00 00 00 00 5d 94 28 8f 94 28 91 94 43 00 94 68 03 8c 00 94 68 04 65 2e");
    }
    void goldenVectors() {
        QFETCH(Object, value);
        QFETCH(QString, bytes);
        const std::string expected = unhex(bytes.toStdString());
        QCOMPARE(hex(mp::pickle::dumps(value)), hex(expected));
        const Object back = mp::pickle::loads(expected);
        QVERIFY2(back == value, back.repr().c_str());
        QCOMPARE(QString::fromStdString(back.repr()), QString::fromStdString(value.repr()));
    }

    // Larger outputs compared by length and FNV-1a of python3.11's bytes: frames cut after 64 KiB,
    // payloads of 64 KiB and more written unframed, batches of 1000, LONG4 and LONG_BINGET.
    void largeVectors_data() {
        QTest::addColumn<Object>("value");
        QTest::addColumn<qulonglong>("length");
        QTest::addColumn<qulonglong>("fnv");
        const auto ints = [](int n) {
            std::vector<Object> v;
            for (int i = 0; i < n; ++i)
                v.emplace_back(i);
            return v;
        };
        QTest::newRow("list(range(30000))") << Object::list(ints(30000)) << 89827ULL << 0x70e0f4256ff8867eULL;
        std::vector<Object> nested, tuples, strs;
        for (int i = 0; i < 12000; ++i)
            nested.push_back(Object::list({i}));
        for (int i = 0; i < 8000; ++i)
            tuples.push_back(Object::tuple(i, std::to_string(i)));
        mp::Dict dict;
        for (int i = 0; i < 9000; ++i)
            dict.set(std::to_string(i), i);
        for (int i = 0; i < 400; ++i) {
            char prefix[8];
            std::snprintf(prefix, sizeof prefix, "y%05d", i);
            strs.emplace_back(prefix + std::string(200, 'z'));
        }
        QTest::newRow("[[i] for i in range(12000)]")
            << Object::list(nested) << 71791ULL << 0xc5b0c10a036dee28ULL;
        QTest::newRow("[(i, str(i)) for i in range(8000)]")
            << Object::list(tuples) << 94673ULL << 0x4ca8a17b02e86af3ULL;
        QTest::newRow("{str(i): i for i in range(9000)}")
            << Object::dict(dict) << 88677ULL << 0x7f4fdf1f7451c7e8ULL;
        QTest::newRow("400 strs of 206") << Object::list(strs) << 83625ULL << 0x7abf5e55154d2599ULL;
        std::string e_acute;
        for (int i = 0; i < 40000; ++i)
            e_acute += "\xc3\xa9";
        QTest::newRow("large payloads")
            << Object::list({1, Object::bytes(std::string(70000, 'x')), 2, std::string(65536, 's'),
                             Object::bytearray(std::string(70000, 'q')), e_acute})
            << 285627ULL << 0xef8753ce861bc963ULL;
        QTest::newRow("list(range(1001))") << Object::list(ints(1001)) << 2765ULL << 0x1e984cce983312abULL;
        mp::Dict d1001;
        for (int i = 0; i < 1001; ++i)
            d1001.set(i, mp::None);
        QTest::newRow("dict 1001") << Object::dict(d1001) << 3766ULL << 0xe99bce3325aeab32ULL;
        mp::Dict d2000;
        for (int i = 0; i < 2000; ++i)
            d2000.set(i, mp::None);
        QTest::newRow("dict 2000 (empty last batch)")
            << Object::dict(d2000) << 7764ULL << 0x43099d5cc24d36a5ULL;
        QTest::newRow("set(range(1000)) (empty last batch)")
            << Object::set(ints(1000)) << 2762ULL << 0x5b481156df14c904ULL;
        QTest::newRow("list(range(2000))") << Object::list(ints(2000)) << 5762ULL << 0x782cea1c7dcfb94eULL;
        QTest::newRow("set(range(1001))") << Object::set(ints(1001)) << 2765ULL << 0x45168a9824bdaeebULL;
        QTest::newRow("frozenset(range(1001))")
            << Object::frozenset(ints(1001)) << 2762ULL << 0x2fd9ae928b18cebcULL;
        std::vector<Object> names;
        for (int i = 0; i < 300; ++i) {
            std::string name = "s";
            name += std::to_string(i); // not "s" + ...: GCC 12 -Wrestrict false positive at -O3
            names.emplace_back(std::move(name));
        }
        names.emplace_back("s299");
        names.emplace_back("s0");
        QTest::newRow("LONG_BINGET") << Object::list(names) << 2013ULL << 0xa9644ab185ac18b9ULL;
        std::string twos(256, '\0');
        twos += '\x01';
        QTest::newRow("2**2048") << Object(mp::BigInt::from_twos_complement(twos)) << 274ULL
                                 << 0x4b6f70f9e7d1f420ULL;
    }
    void largeVectors() {
        QFETCH(Object, value);
        QFETCH(qulonglong, length);
        QFETCH(qulonglong, fnv);
        const std::string bytes = mp::pickle::dumps(value);
        QCOMPARE(qulonglong(bytes.size()), length);
        QCOMPARE(qulonglong(fnv1a(bytes)), fnv);
        QVERIFY(mp::pickle::loads(bytes) == value);
    }

    void frameLayout() {
        // 70 000-byte bytes: no frame at all, MEMOIZE and STOP too small for one (SPEC §15.4).
        const std::string large = mp::pickle::dumps(Object::bytes(std::string(70000, 'x')));
        QCOMPARE(hex(large.substr(0, 7)), QString("80 04 42 70 11 01 00"));
        QCOMPARE(hex(large.substr(large.size() - 2)), QString("94 2e"));
        QCOMPARE(large.size(), size_t(7 + 70000 + 2));
        // 65 535 bytes still fit a frame, 65 536 do not.
        QCOMPARE(hex(mp::pickle::dumps(Object::bytes(std::string(65535, 'x'))).substr(0, 11)),
                 QString("80 04 95 06 00 01 00 00 00 00 00"));
        QCOMPARE(hex(mp::pickle::dumps(Object::bytes(std::string(65536, 'x'))).substr(0, 7)),
                 QString("80 04 42 00 00 01 00"));
        // list(range(30000)): the first frame closes once it holds 64 KiB, at the next object.
        const std::string ints = range_list(30000);
        QCOMPARE(hex(ints.substr(0, 11)), QString("80 04 95 01 00 01 00 00 00 00 00"));
        QCOMPARE(hex(ints.substr(65548, 9)), QString("95 ce 5e 00 00 00 00 00 00"));
        QCOMPARE(mp::pickle::loads(ints).size(), size_t(30000));
    }

    void bigInts() {
        for (const char* text :
             {"9223372036854775808", "-9223372036854775809", "340282366920938463463374607431768211456",
              "-340282366920938463463374607431768211455", "255", "-256", "128", "-129"}) {
            const Object v = big(text);
            QCOMPARE(QString::fromStdString(mp::pickle::loads(mp::pickle::dumps(v)).repr()), QString(text));
        }
        // LONG4 for 256 bytes and more: 2**2048 needs 257.
        std::string twos(256, '\0');
        twos += '\x01';
        const Object v(mp::BigInt::from_twos_complement(twos));
        const std::string bytes = mp::pickle::dumps(v);
        QCOMPARE(hex(bytes.substr(0, 16)), QString("80 04 95 07 01 00 00 00 00 00 00 8b 01 01 00 00"));
        QVERIFY(mp::pickle::loads(bytes) == v);
        // Non-minimal encodings are accepted and normalised: LONG1 of 8 bytes holding 1 is the int 1.
        const Object one = mp::pickle::loads(unhex("80 04 8a 08 01 00 00 00 00 00 00 00 2e"));
        QVERIFY(one.kind() == mp::ObjectKind::Int && one.as_int() == 1);
        QVERIFY(mp::pickle::loads(unhex("80 04 8a 00 2e")) == Object(0));
        QVERIFY(mp::pickle::loads(unhex("80 04 8b 01 00 00 00 ff 2e")) == Object(-1));
    }

    void otherProtocols() {
        // python3.11 pickle.dumps(v, protocol=2 / 3 / 5).
        const std::pair<const char*, Object> cases[] = {
            {"80 02 63 5f 63 6f 64 65 63 73 0a 65 6e 63 6f 64 65 0a 71 00 58 02 00 00 00 61 62 71 01 58 06 "
             "00 00 00 "
             "6c 61 74 69 6e 31 71 02 86 71 03 52 71 04 2e",
             Object::bytes("ab")},
            {"80 02 63 5f 5f 62 75 69 6c 74 69 6e 5f 5f 0a 62 79 74 65 73 0a 71 00 29 52 71 01 2e",
             Object::bytes("")},
            {"80 02 63 5f 5f 62 75 69 6c 74 69 6e 5f 5f 0a 62 79 74 65 61 72 72 61 79 0a 71 00 63 5f 63 6f "
             "64 65 63 "
             "73 0a 65 6e 63 6f 64 65 0a 71 01 58 02 00 00 00 61 62 71 02 58 06 00 00 00 6c 61 74 69 6e 31 "
             "71 03 86 "
             "71 04 52 71 05 85 71 06 52 71 07 2e",
             Object::bytearray("ab")},
            {"80 02 63 5f 5f 62 75 69 6c 74 69 6e 5f 5f 0a 73 65 74 0a 71 00 5d 71 01 28 4b 01 4b 02 65 85 "
             "71 02 52 "
             "71 03 2e",
             Object::set({1, 2})},
            {"80 02 63 5f 5f 62 75 69 6c 74 69 6e 5f 5f 0a 66 72 6f 7a 65 6e 73 65 74 0a 71 00 5d 71 01 4b "
             "01 61 85 "
             "71 02 52 71 03 2e",
             Object::frozenset({1})},
            {"80 02 63 65 78 63 65 70 74 69 6f 6e 73 0a 56 61 6c 75 65 45 72 72 6f 72 0a 71 00 58 01 00 00 "
             "00 78 71 "
             "01 85 71 02 52 71 03 2e",
             exc("ValueError", "x")},
            {"80 02 4b 01 58 01 00 00 00 61 71 00 86 71 01 2e", Object::tuple(1, "a")},
            {"80 02 5d 71 00 28 4b 01 4b 02 65 2e", Object::list({1, 2})},
            {"80 02 8a 09 00 00 00 00 00 00 00 00 40 2e", big("1180591620717411303424")},
            {"80 03 43 02 61 62 71 00 2e", Object::bytes("ab")},
            {"80 03 7d 71 00 4b 01 5d 71 01 4b 02 61 73 2e", Object::dict({{1, Object::list({2})}})},
            {"80 05 95 0d 00 00 00 00 00 00 00 96 02 00 00 00 00 00 00 00 61 62 94 2e",
             Object::bytearray("ab")},
            {"80 05 95 0b 00 00 00 00 00 00 00 96 00 00 00 00 00 00 00 00 94 2e", Object::bytearray("")},
            {"80 05 95 0b 00 00 00 00 00 00 00 5d 94 28 4b 01 8c 01 61 94 65 2e", Object::list({1, "a"})},
            // Protocol 1 style without PROTO, BINPUT/BINGET mixed with MEMOIZE.
            {"5d 71 05 94 68 05 68 01 2e", Object::list()},
        };
        for (const auto& [bytes, expected] : cases) {
            const Object v = mp::pickle::loads(unhex(bytes));
            QVERIFY2(v == expected && v.kind() == expected.kind(),
                     (v.repr() + " != " + expected.repr()).c_str());
        }
    }

    void memo() {
        // CPython's bytes for x = [1]; [x, x] and {'a': x, 'b': x}: shared objects read back as equal copies.
        QCOMPARE(QString::fromStdString(
                     mp::pickle::loads(
                         unhex("80 04 95 0c 00 00 00 00 00 00 00 5d 94 28 5d 94 4b 01 61 68 01 65 2e"))
                         .repr()),
                 QString("[[1], [1]]"));
        QCOMPARE(QString::fromStdString(
                     mp::pickle::loads(unhex("80 04 95 14 00 00 00 00 00 00 00 7d 94 28 8c 01 61 "
                                             "94 5d 94 4b 01 61 8c 01 62 94 68 02 75 2e"))
                         .repr()),
                 QString("{'a': [1], 'b': [1]}"));
        // A memoized exception completed by BUILD is fetched with its traceback.
        const Object e(mp::ExceptionValue{"OSError", "m", "Traceback..."});
        std::string two = mp::pickle::dumps(e);
        two = two.substr(11, two.size() - 12); // strip PROTO/FRAME and STOP: e, memo index of e is 5
        const Object pair = mp::pickle::loads("\x80\x04" + two + "h\x05\x86.");
        QVERIFY(pair == Object::tuple(e, e));
        // Equal strings are written once (the documented stand-in for CPython's identity memo); containers
        // never.
        const Object shared = Object::list({Object::list({1}), Object::list({1}), "long text", "long text"});
        QCOMPARE(
            hex(mp::pickle::dumps(shared)),
            hex(unhex(
                "80 04 95 1d 00 00 00 00 00 00 00 5d 94 28 5d 94 4b 01 61 5d 94 4b 01 61 8c 09 6c 6f 6e 67 "
                "20 74 65 78 74 94 68 03 65 2e")));
        // MEMOIZE after an explicit BINPUT takes the count of filled entries, like CPython.
        QVERIFY(mp::pickle::loads(unhex("80 04 4b 07 71 05 4b 08 94 68 01 68 05 86 2e")) ==
                Object::tuple(8, 7));
    }

    void handles() {
        const mp::Handle h{"Connection", "mpscope-1-x", {1, 0, -5, INT64_MIN}, {7, 8}};
        const Object v = Object::list({h, h, Object(mp::Handle{"Lock", "", {}, {}})});
        const std::string bytes = mp::pickle::dumps(v);
        QVERIFY(bytes.find("\x8c\x06mpcore\x94\x8c\x06handle\x94\x93\x94") != std::string::npos);
        QVERIFY(mp::pickle::loads(bytes) == v);
        QVERIFY(refused(unhex("80 04 8c 06 6d 70 63 6f 72 65 8c 06 68 61 6e 64 6c 65 93 4b 01 85 52 2e"),
                        "unsupported arguments for global 'mpcore.handle'"));
    }

    void exceptionsFromPython() {
        const Object custom = exc("MyLibraryError", "m");
        QVERIFY(mp::pickle::loads(mp::pickle::dumps(custom)) == custom);
        // Python's str(exc) for other argument shapes.
        // builtins.OSError(*(2, 'x')) and builtins.KeyboardInterrupt(*())
        QCOMPARE(QString::fromStdString(
                     mp::pickle::loads(unhex("80 04 8c 08 62 75 69 6c 74 69 6e 73 8c 07 4f 53 45 "
                                             "72 72 6f 72 93 4b 02 8c 01 78 86 52 2e"))
                         .as_exception()
                         .message),
                 QString("(2, 'x')"));
        QCOMPARE(QString::fromStdString(
                     mp::pickle::loads(unhex("80 04 8c 08 62 75 69 6c 74 69 6e 73 8c 11 4b 65 79 "
                                             "62 6f 61 72 64 49 6e 74 65 72 72 75 70 74 93 29 52 2e"))
                         .type_name()),
                 QString("KeyboardInterrupt"));
        // NEWOBJ on an exception class is cls.__new__(cls, *args).
        QVERIFY(mp::pickle::loads(unhex("80 04 8c 05 71 75 65 75 65 8c 04 46 75 6c 6c 93 29 81 2e")) ==
                exc("Full", ""));
        QVERIFY(mp::pickle::loads(unhex("80 04 8c 05 71 75 65 75 65 8c 05 45 6d 70 74 79 93 29 52 2e")) ==
                exc("Empty", ""));
    }

    void malformedInput() {
        QVERIFY(refused("", "pickle data was truncated"));
        QVERIFY(refused(unhex("80"), "pickle data was truncated"));
        QVERIFY(refused(unhex("80 04"), "pickle data was truncated"));
        QVERIFY(refused(unhex("80 04 4e"), "pickle data was truncated"));
        QVERIFY(refused(unhex("80 04 4d 01"), "pickle data was truncated"));
        QVERIFY(refused(unhex("80 04 47 00 00 00"), "pickle data was truncated"));
        QVERIFY(refused(unhex("80 04 8c 05 61 62"), "pickle data was truncated"));
        QVERIFY(refused(unhex("80 04 63 6f 73 0a 73 79 73"), "pickle data was truncated"));
        QVERIFY(refused(unhex("80 04 ff 2e"), "unsupported pickle opcode 0xff at offset 2"));
        QVERIFY(refused(unhex("80 04 32 2e"), "unsupported pickle opcode 0x32 at offset 2")); // DUP
        QVERIFY(
            refused(unhex("80 04 49 31 0a 2e"), "unsupported pickle opcode 0x49 at offset 2")); // text INT
        QVERIFY(refused(unhex("80 06 4e 2e"), "unsupported pickle protocol: 6"));
        QVERIFY(refused(unhex("80 04 2e"), "unpickling stack underflow"));
        QVERIFY(refused(unhex("80 04 61 2e"), "unpickling stack underflow"));
        QVERIFY(
            refused(unhex("80 04 5d 28 61 2e"), "unpickling stack underflow")); // APPEND below the MARK fence
        QVERIFY(refused(unhex("80 04 4b 01 86 2e"), "unpickling stack underflow"));
        QVERIFY(refused(unhex("80 04 94 2e"), "unpickling stack underflow"));
        QVERIFY(refused(unhex("80 04 30 2e"), "unpickling stack underflow"));
        QVERIFY(refused(unhex("80 04 68 05 2e"), "Memo value not found at index 5"));
        QVERIFY(refused(unhex("80 04 4e 94 6a 01 00 00 00 2e"), "Memo value not found at index 1"));
        QVERIFY(refused(unhex("80 04 74 2e"), "could not find MARK"));
        QVERIFY(refused(unhex("80 04 31 2e"), "could not find MARK"));
        QVERIFY(refused(unhex("80 04 7d 28 4e 75 2e"), "odd number of items for SETITEMS"));
        QVERIFY(refused(unhex("80 04 29 4e 61 2e"), "APPEND needs a list, got tuple"));
        QVERIFY(refused(unhex("80 04 5d 4e 4e 73 2e"), "SETITEM needs a dict, got list"));
        QVERIFY(refused(unhex("80 04 28 91 28 4e 90 2e"), "ADDITEMS needs a set, got frozenset"));
        QVERIFY(refused(unhex("80 04 5d 7d 62 2e"), "BUILD is only supported on exceptions, not list"));
        QVERIFY(refused(unhex("80 04 4e 29 52 2e"), "REDUCE on a non-callable NoneType"));
        QVERIFY(refused(unhex("80 04 4e 4e 52 2e"), "REDUCE on a non-callable NoneType"));
        QVERIFY(refused(unhex("80 04 8c 08 62 75 69 6c 74 69 6e 73 8c 03 73 65 74 93 4e 52 2e"),
                        "REDUCE arguments must be a tuple"));
        QVERIFY(refused(unhex("80 04 8c 08 62 75 69 6c 74 69 6e 73 8c 03 73 65 74 93 29 81 2e"),
                        "NEWOBJ is not supported for global 'builtins.set'"));
        QVERIFY(refused(unhex("80 04 8c 08 62 75 69 6c 74 69 6e 73 8c 03 73 65 74 93 4b 01 85 52 2e"),
                        "unsupported arguments for global 'builtins.set'"));
        QVERIFY(refused(unhex("80 04 4e 4e 93 2e"), "STACK_GLOBAL requires str"));
        QVERIFY(refused(unhex("80 04 8c 01 ff 2e"), "invalid UTF-8 in str at offset 4"));
        QVERIFY(mp::pickle::loads(unhex("80 04 8c 03 ed a0 80 2e")).is_str());               // surrogatepass
        QVERIFY(refused(unhex("80 04 8c 02 c0 80 2e"), "invalid UTF-8 in str at offset 4")); // overlong
        QVERIFY(refused(unhex("80 04 8b ff ff ff ff 2e"), "LONG pickle has negative byte count"));
        // Lengths beyond the input are refused before anything is allocated.
        QVERIFY(refused(unhex("80 04 8e ff ff ff ff ff ff ff 7f 2e"), "pickle data was truncated"));
        QVERIFY(refused(unhex("80 04 8d ff ff ff ff ff ff ff ff 2e"), "pickle data was truncated"));
        QVERIFY(refused(unhex("80 04 96 00 00 00 00 01 00 00 00 2e"), "pickle data was truncated"));
        QVERIFY(refused(unhex("80 04 42 ff ff ff ff 2e"), "pickle data was truncated"));
        QVERIFY(refused(unhex("80 04 58 00 00 00 80 2e"), "pickle data was truncated"));
        QVERIFY(refused(unhex("80 04 8b ff ff ff 7f 2e"), "pickle data was truncated"));
        QVERIFY(refused(unhex("80 04 95 ff 00 00 00 00 00 00 00 4e 2e"), "pickle data was truncated"));
        // Recursive structures (l = []; l.append(l)) cannot be values.
        QVERIFY(refused(unhex("80 04 95 06 00 00 00 00 00 00 00 5d 94 68 00 61 2e"),
                        "recursive structures are not supported"));
        QVERIFY(refused(unhex("80 04 7d 94 4e 68 00 73 2e"), "recursive structures are not supported"));
        // Python raises TypeError for an unhashable key while unpickling; so do we.
        QVERIFY(throws_with<mp::TypeError>([] { mp::pickle::loads(unhex("80 04 7d 5d 4e 73 2e")); },
                                           "unhashable type: 'list'"));
        // A global that is not an allowed callable, or used as a value.
        QVERIFY(refused(unhex("80 04 8c 02 6f 73 8c 06 73 79 73 74 65 6d 93 8c 02 6c 73 85 52 2e"),
                        "global 'os.system' is not allowed"));
        QVERIFY(
            refused(unhex("80 02 63 6f 73 0a 73 79 73 74 65 6d 0a 2e"), "global 'os.system' is not allowed"));
        QVERIFY(refused(unhex("80 04 8c 08 62 75 69 6c 74 69 6e 73 8c 04 65 76 61 6c 93 2e"),
                        "global 'builtins.eval' is not allowed"));
        QVERIFY(refused(unhex("80 04 8c 01 00 8c 01 ff 93 2e"), "invalid UTF-8 in str at offset 7"));
        QVERIFY(refused(unhex("80 02 63 61 0a ff 0a 2e"), "global 'a.\\xff' is not allowed"));
        QVERIFY(
            refused(unhex("80 04 8c 08 62 75 69 6c 74 69 6e 73 8c 0a 56 61 6c 75 65 45 72 72 6f 72 93 2e"),
                    "global 'builtins.ValueError' cannot be used as a value"));
        QVERIFY(refused(unhex("80 04 5d 8c 08 62 75 69 6c 74 69 6e 73 8c 03 73 65 74 93 61 2e"),
                        "global 'builtins.set' cannot be used as a value"));
    }

    void nestingLimit() {
        const auto nested = [](std::size_t depth) {
            return "\x80\x04" + std::string(depth, ']') + std::string(depth - 1, 'a') + ".";
        };
        QCOMPARE(mp::pickle::loads(nested(mp::pickle::max_depth)).size(), size_t(1));
        QVERIFY(refused(nested(mp::pickle::max_depth + 1), "nesting deeper than 1000 levels"));
        // Tuples and sets count too.
        QVERIFY(refused("\x80\x04" + std::string(mp::pickle::max_depth + 1, ')') +
                            std::string(mp::pickle::max_depth, '\x85') + ".",
                        "nesting deeper than 1000 levels"));
        // A hundred thousand nested lists is refused without running out of stack.
        QVERIFY(refused(nested(100'000), "nesting deeper than 1000 levels"));

        Object deep = Object::list();
        for (std::size_t i = 1; i < mp::pickle::max_depth; ++i) {
            std::vector<Object> wrapper;
            wrapper.push_back(std::move(deep));
            deep = Object::list(std::move(wrapper));
        }
        QVERIFY(mp::pickle::loads(mp::pickle::dumps(deep)) == deep);
        deep = Object::tuple(std::move(deep));
        QVERIFY(throws_with<mp::PicklingError>([&] { mp::pickle::dumps(deep); },
                                               "nesting deeper than 1000 levels"));
    }

    void expansionBudget() {
        // One 1 MiB bytes fetched again 200 times would make 200 MiB from 1 MiB of input.
        std::string bytes = "\x80\x04\x8e" + std::string("\x00\x00\x10\x00\x00\x00\x00\x00", 8) +
                            std::string(1 << 20, 'x') + "\x94";
        std::string ok = bytes;
        const std::string fetch_and_pop("h\x00"
                                        "0",
                                        3);
        for (int i = 0; i < 100; ++i)
            ok += fetch_and_pop;
        QVERIFY(mp::pickle::loads(ok + ".").is_bytes());
        for (int i = 0; i < 200; ++i)
            bytes += fetch_and_pop;
        QVERIFY(refused(bytes + ".",
                        "pickle expands beyond 64 MiB + 64 times its size through repeated references"));
    }

    void picklingErrors() {
        QVERIFY(throws_with<mp::PicklingError>([] { mp::pickle::dumps(Object("\xff")); },
                                               "str is not valid UTF-8: '\\udcff'"));
        // Lone surrogates are written like CPython's surrogatepass and read back.
        const Object surrogate("\xed\xa0\x80");
        QCOMPARE(hex(mp::pickle::dumps(surrogate)),
                 QString("80 04 95 07 00 00 00 00 00 00 00 8c 03 ed a0 80 94 2e"));
        QVERIFY(mp::pickle::loads(mp::pickle::dumps(surrogate)) == surrogate);
    }

    // The Pool's shortcuts: a task written from its parts, byte for byte as dumps writes the tuple ...
    void dumpsCall() {
        std::vector<Object> many;
        for (std::int64_t i = 0; i < 100'000; ++i)
            many.emplace_back(i * 37 - 1000);
        const Object kwds = Object::dict({{"key", Object::list({1, "square"})}});
        const std::vector<std::vector<Object>> argument_lists = {
            {},
            {Object(3)},
            {Object("square"), Object(2)}, // the str equal to the function name is a BINGET, as in dumps
            {Object(1), Object(2.5), Object(), Object(true), Object::tuple(Object("x"), Object("square"))},
            many,
        };
        for (const auto& args : argument_lists)
            for (const Object& k : {Object::dict(), kwds})
                QCOMPARE(hex(mp::pickle::internal::dumps_call("square", args, k)),
                         hex(mp::pickle::dumps(Object::tuple("square", Object::tuple(args), k))));
        QVERIFY_THROWS_EXCEPTION(mp::PicklingError,
                                 mp::pickle::internal::dumps_call("\xff", {}, Object::dict()));
    }

    // ... read back by the worker when its arguments are numbers, or left to loads ...
    void loadsCall() {
        std::vector<Object> many;
        for (std::int64_t i = 0; i < 100'000; ++i) // several 64 KiB frames
            many.emplace_back(i % 3 == 0 ? Object(i * 1'000'003) : Object(-i));
        const std::vector<std::vector<Object>> readable = {
            {}, {Object(3)}, {Object(1), Object(2.5), Object()}, {Object(true), 4, 5, 6}, many};
        const std::string long_name(300, 'f');
        for (const auto& args : readable)
            for (const std::string& name : {std::string("square"), long_name}) {
                const std::string bytes = mp::pickle::internal::dumps_call(name, args, Object::dict());
                std::string func;
                std::vector<Object> got;
                QVERIFY(mp::pickle::internal::loads_call(bytes, func, got));
                QCOMPARE(func, name);
                QVERIFY(Object::tuple(got) == Object::tuple(args));
                QVERIFY(mp::pickle::loads(bytes) == Object::tuple(name, Object::tuple(args), Object::dict()));
            }
        const auto call = [](std::vector<Object> args, const Object& kwds) {
            return mp::pickle::internal::dumps_call("f", args, kwds);
        };
        const std::vector<std::string> others = {
            call({Object(1)}, Object::dict({{"k", 1}})),
            call({Object(1), Object("s")}, Object::dict()),
            call({Object::parse_int("123456789012345678901234567890")}, Object::dict()),
            mp::pickle::dumps(Object::tuple("f", Object::list({1}), Object::dict())),
            call({Object(1), Object(2)}, Object::dict()).substr(0, 20),
        };
        for (const std::string& bytes : others) {
            std::string func;
            std::vector<Object> got;
            QVERIFY(!mp::pickle::internal::loads_call(bytes, func, got));
            QVERIFY(got.empty());
        }
    }

    // ... and a result list read into the slots of the final list, exactly as loads reads it, or not at all.
    void loadsListInto() {
        std::vector<Object> numbers;
        for (std::int64_t i = 0; i < 100'000; ++i) // several 64 KiB frames
            numbers.emplace_back(i % 7 == 0 ? Object(i * 1'000'003) : i % 5 == 0 ? Object(-i) : Object(i));
        const std::vector<Object> lists = {
            Object::list(),
            Object::list({7}),
            Object::list({Object(), true, false, 0, 255, 256, 65535, 65536, -1, INT32_MIN, INT32_MAX,
                          std::int64_t{1} << 40, INT64_MIN, INT64_MAX, 0.5, -1e300}),
            Object::list(numbers),
        };
        for (const Object& list : lists) {
            const std::string bytes = mp::pickle::dumps(list);
            std::vector<Object> cells(list.size(), Object("old"));
            QVERIFY(mp::pickle::internal::loads_list_into(bytes, cells));
            QVERIFY(Object::list(cells) == mp::pickle::loads(bytes));
            // Another count than the list's is refused, and the cells it touched are None again.
            std::vector<Object> fewer(list.size() > 0 ? list.size() - 1 : 0);
            std::vector<Object> more(list.size() + 1, Object("old"));
            QVERIFY(!mp::pickle::internal::loads_list_into(bytes, more));
            QVERIFY(list.size() == 0 || !mp::pickle::internal::loads_list_into(bytes, fewer));
            for (const Object& o : more)
                QVERIFY(o.is_none() || o == Object("old"));
        }
        // Python's own pickles, protocols 2 and 5: [1, 300, None] and [True, 2.0].
        std::vector<Object> three(3), two(2);
        QVERIFY(
            mp::pickle::internal::loads_list_into(unhex("80 02 5d 71 00 28 4b 01 4d 2c 01 4e 65 2e"), three));
        QVERIFY(Object::list(three) == Object::list({1, 300, Object()}));
        QVERIFY(mp::pickle::internal::loads_list_into(
            unhex("80 05 95 0f 00 00 00 00 00 00 00 5d 94 28 88 47 40 00 00 00 00 00 00 00 65 2e"), two));
        QVERIFY(Object::list(two) == Object::list({true, 2.0}));
        // Anything but a list of scalars is left to loads: other items, a tuple, truncated or broken input.
        const Object not_scalars = Object::list({1, "two", 3});
        for (const std::string& bytes :
             {mp::pickle::dumps(not_scalars), mp::pickle::dumps(Object::tuple(1, 2, 3)),
              mp::pickle::dumps(Object::list({1, 2, 3})).substr(0, 15),
              unhex("80 04 95 ff 00 00 00 00 00 00 00 5d"),
              mp::pickle::dumps(Object::list({Object::parse_int("123456789012345678901234567890"), 1, 2}))}) {
            std::vector<Object> cells(3);
            QVERIFY(!mp::pickle::internal::loads_list_into(bytes, cells));
            for (const Object& o : cells)
                QVERIFY(o.is_none());
        }
    }

    void trailingBytesIgnored() {
        // Like pickle.loads: everything after STOP is ignored.
        QVERIFY(mp::pickle::loads(unhex("80 04 4e 2e ff ff")).is_none());
        QVERIFY(mp::pickle::loads(unhex("4b 05 2e")) == Object(5));
    }
};

QTEST_APPLESS_MAIN(TestPickle)
#include "tst_pickle.moc"
