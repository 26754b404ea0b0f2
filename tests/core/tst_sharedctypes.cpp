// Shared ctypes (SPEC §8): Value, Array, RawValue, RawArray, synchronized and copy. Conversions, reprs and
// every error message are compared with what CPython 3.11 prints for the same operation; the cross-process
// cases run under fork, spawn and forkserver; the last cases read the session arena's object table the way
// the inspector does.
#include "mp_test_main.hpp"
#include "process_test_support.hpp"

// White box: the object table row and heap block behind a shared value.
#include "../../core/src/scope_writer.hpp"

#include <mp/connection.hpp>
#include <mp/context.hpp>
#include <mp/process.hpp>
#include <mp/sharedctypes.hpp>
#include <mp/synchronize.hpp>

#include <QScopeGuard>
#include <QTest>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using namespace test_support;
namespace sc = mp::detail::scope;

struct Point {
    double x;
    double y;
};
MP_CTYPES_STRUCT(Point, x, y);

// Fields of different sizes: offsets 0, 4, 8 as a C compiler (and ctypes) lays them out.
struct Mixed {
    char a;
    std::int32_t b;
    double c;
};
MP_CTYPES_STRUCT(Mixed, a, b, c);

// A member left out of the description: the layout string would lie about y's offset.
struct Partial {
    double x;
    std::int32_t hidden;
    double y;
};
MP_CTYPES_STRUCT(Partial, x, y);

mp::Object big(const char* decimal) {
    return mp::Object::parse_int(decimal);
}
mp::Object bytes(const char* data, std::size_t n) {
    return mp::Object::bytes(std::string(data, n));
}
mp::Object bytes(const char* data) {
    return mp::Object::bytes(data);
}

// The object table row of a shared object (its serial is the scope id).
sc::ObjectSlot* row_of(const mp::SharedObject& object) {
    mp::detail::Segment* s = sc::session();
    if (!s) return nullptr;
    for (std::uint32_t i = 1; i < s->object_capacity(); ++i)
        if (s->object_at(i).serial.load() == object.scope_id()) return &s->object_at(i);
    return nullptr;
}

std::uint32_t index_of(const sc::ObjectSlot* slot) {
    mp::detail::Segment* s = sc::session();
    return static_cast<std::uint32_t>(slot - &s->object_at(0));
}

// ---- tasks run by the children -------------------------------------------------------------------------

void negate_all(mp::Value n, mp::Array a) {
    n.set(3.1415927);
    for (std::size_t i = 0; i < a.size(); ++i)
        a.set(i, -a.get<int>(i));
}
MP_TASK(negate_all);

void square_points(mp::Array points, mp::Value origin, mp::Array text) {
    for (std::size_t i = 0; i < points.size(); ++i) {
        Point p = points.get<Point>(i);
        p.x *= p.x;
        p.y *= p.y;
        points.set(i, p);
    }
    origin.set_field("y", 5.5);
    text.set_value(bytes("HELLO"));
}
MP_TASK(square_points);

// Holds the Value's lock (the Lock the parent passed along) while writing through the raw object, reports
// whether it is the parent's lock, and keeps holding it until the parent sends a byte.
void hold_lock_while_writing(mp::Value v, mp::Lock lock, mp::Handle out, mp::Handle release) {
    std::lock_guard hold(v.get_lock());
    v.get_obj().set(42);
    write_text(out.fds.at(0), std::string(v.get_lock().scope_id() == lock.scope_id() ? "same" : "other") +
                                  (lock.locked() ? " locked\n" : " free\n"));
    char c;
    while (::read(release.fds.at(0), &c, 1) < 0 && errno == EINTR) {
    }
}
MP_TASK(hold_lock_while_writing);

void add_under_lock(mp::Value counter, int times) {
    for (int i = 0; i < times; ++i) {
        std::lock_guard hold(counter); // Python: with counter.get_lock(): counter.value += 1
        counter.set(counter.get<int>() + 1);
    }
}
MP_TASK(add_under_lock);

void modify_received(mp::Connection conn) {
    auto v = mp::from_object<mp::Value>(conn.recv());
    auto a = mp::from_object<mp::Array>(conn.recv());
    v.set(v.get<std::int64_t>() * 2);
    a.set_slice({.start = 0, .stop = 2}, mp::Object::list({mp::Object(-1.5), mp::Object(2.5)}));
    conn.send(mp::Object("done"));
}
MP_TASK(modify_received);

void set_raw_value(mp::Value v, int value) {
    v.set(value);
}
MP_TASK(set_raw_value);

void add_methods() {
    QTest::addColumn<QString>("method");
    for (const char* method : {"fork", "spawn", "forkserver"})
        QTest::newRow(method) << QString(method);
}

} // namespace

class TestSharedCTypes : public QObject {
    Q_OBJECT

private slots:
    void typecodeSizesAndNames() {
        const struct {
            char code;
            std::size_t size;
            const char* name;
        } rows[] = {{'c', 1, "c_char"},  {'u', 4, "c_wchar"},  {'b', 1, "c_byte"}, {'B', 1, "c_ubyte"},
                    {'h', 2, "c_short"}, {'H', 2, "c_ushort"}, {'i', 4, "c_int"},  {'I', 4, "c_uint"},
                    {'l', 8, "c_long"},  {'L', 8, "c_ulong"},  {'q', 8, "c_long"}, {'Q', 8, "c_ulong"},
                    {'f', 4, "c_float"}, {'d', 8, "c_double"}};
        for (const auto& row : rows) {
            const mp::CType t(row.code);
            QCOMPARE(t.size(), row.size);
            QCOMPARE(t.name(), std::string(row.name));
            QCOMPARE(t.typecode(), row.code);
        }
        QVERIFY(mp::ctype<std::int32_t>() == mp::c_int);
        QVERIFY(mp::ctype<double>() == mp::c_double);
        QVERIFY(mp::ctype<char>() == mp::c_char);
        QVERIFY(mp::ctype<std::int8_t>() == mp::c_byte);
        QVERIFY(mp::ctype<unsigned long long>() == mp::c_ulong); // one type on LP64, as in ctypes
        QVERIFY(!(mp::c_int == mp::c_uint));
        QCOMPARE(mp::ctype<Point>().size(), sizeof(Point));
        QCOMPARE(mp::ctype<Point>().typecode(), 'T');
        QCOMPARE(mp::ctype<Point>().name(), std::string("Point"));
        QCOMPARE(mp::ctype<Point>().structure()->layout, std::string("x:d,y:d"));
        QCOMPARE(mp::ctype<Mixed>().structure()->layout, std::string("a:c,b:i,c:d"));
        QCOMPARE(mp::ctype<Mixed>().structure()->fields[1].offset, std::size_t(4));
        QCOMPARE(mp::ctype<Mixed>().structure()->fields[2].offset, std::size_t(8));
        QCOMPARE(mp::RawValue("i", 3).value(), mp::Object(3));
    }

    void unknownTypecode() {
        const std::string msg = "this type has no size";
        QVERIFY(throws_with<mp::TypeError>([] { mp::Value('z'); }, msg));
        QVERIFY(throws_with<mp::TypeError>([] { mp::RawValue('z'); }, msg));
        QVERIFY(throws_with<mp::TypeError>([] { mp::RawArray('z', 3); }, msg));
        QVERIFY(throws_with<mp::TypeError>([] { mp::Array('z', {1}); }, msg));
        QVERIFY(throws_with<mp::TypeError>([] { mp::Value("ii"); }, msg));
        QVERIFY(throws_with<mp::TypeError>([] { mp::Value('T'); }, msg));
    }

    // C conversions: every typecode wraps around like C; floats narrow to float for 'f'.
    void wrapAround() {
        const struct {
            char code;
            mp::Object input;
            const char* expected; // repr of .value, as python3 prints it
        } rows[] = {
            {'b', mp::Object(300), "44"},
            {'b', mp::Object(-129), "127"},
            {'b', big("1180591620717411303427"), "3"}, // 2**70 + 3
            {'B', mp::Object(-1), "255"},
            {'B', mp::Object(256), "0"},
            {'h', mp::Object(70000), "4464"},
            {'H', mp::Object(-1), "65535"},
            {'H', mp::Object(true), "1"},
            {'i', mp::Object(2147483648LL), "-2147483648"},
            {'i', big("1267650600228229401496703205376"), "0"}, // 2**100
            {'i', mp::Object(true), "1"},
            {'I', mp::Object(-1), "4294967295"},
            {'l', big("9223372036854775808"), "-9223372036854775808"},
            {'L', mp::Object(-1), "18446744073709551615"},
            {'q', big("18446744073709551621"), "5"},     // 2**64 + 5
            {'q', big("-1180591620717411303425"), "-1"}, // -2**70 - 1
            {'Q', mp::Object(-1), "18446744073709551615"},
            {'f', mp::Object(0.1), "0.10000000149011612"},
            {'f', mp::Object(1), "1.0"},
            {'f', mp::Object(1e300), "inf"},
            {'d', mp::Object(1.0 / 9.0), "0.1111111111111111"},
            {'d', mp::Object(3), "3.0"},
            {'d', mp::Object(true), "1.0"},
            {'c', mp::Object(65), "b'A'"},
            {'c', bytes("a"), "b'a'"},
            {'c', mp::Object::bytearray("a"), "b'a'"},
            {'c', mp::Object(true), "b'\\x01'"},
            {'u', mp::Object("x"), "'x'"},
            {'u', mp::Object("\xF0\x9F\x98\x80"), "'\xF0\x9F\x98\x80'"},
        };
        for (const auto& row : rows) {
            const std::string where = std::string(1, row.code) + " <- " + row.input.repr();
            mp::Value v(row.code, row.input);
            QVERIFY2(v.value().repr() == row.expected, (where + ": " + v.value().repr()).c_str());
            // The same conversion on assignment, to an array element and to a raw value.
            mp::Value w(row.code);
            w.set_value(row.input);
            QVERIFY2(w.value().repr() == row.expected, where.c_str());
            mp::Array a(row.code, 2, false);
            a.set_item(1, row.input);
            QVERIFY2(a.item(-1).repr() == row.expected, where.c_str());
        }
    }

    void conversionErrors() {
        const struct {
            char code;
            mp::Object input;
            const char* type;
            const char* message;
        } rows[] = {
            {'i', mp::Object(1.5), "TypeError", "'float' object cannot be interpreted as an integer"},
            {'i', mp::Object("x"), "TypeError", "'str' object cannot be interpreted as an integer"},
            {'i', mp::None, "TypeError", "'NoneType' object cannot be interpreted as an integer"},
            {'Q', bytes("a"), "TypeError", "'bytes' object cannot be interpreted as an integer"},
            {'d', mp::Object("x"), "TypeError", "must be real number, not str"},
            {'f', mp::None, "TypeError", "must be real number, not NoneType"},
            {'d', big(("1" + std::string(700, '0')).c_str()), "OverflowError",
             "int too large to convert to float"},
            {'c', mp::Object("a"), "TypeError", "one character bytes, bytearray or integer expected"},
            {'c', bytes("ab"), "TypeError", "one character bytes, bytearray or integer expected"},
            {'c', bytes(""), "TypeError", "one character bytes, bytearray or integer expected"},
            {'c', mp::Object(300), "TypeError", "one character bytes, bytearray or integer expected"},
            {'c', mp::Object(-1), "TypeError", "one character bytes, bytearray or integer expected"},
            {'c', big("1180591620717411303424"), "TypeError",
             "one character bytes, bytearray or integer expected"},
            {'u', mp::Object("xy"), "TypeError", "one character unicode string expected"},
            {'u', mp::Object(""), "TypeError", "one character unicode string expected"},
            {'u', mp::Object(65), "TypeError", "unicode string expected instead of int instance"},
            {'u', bytes("a"), "TypeError", "unicode string expected instead of bytes instance"},
        };
        auto check = [](const char* where, const char* type, const char* message, auto&& action) {
            try {
                action();
            } catch (const mp::Exception& e) {
                QVERIFY2(
                    e.type_name() == type && e.message() == message,
                    (std::string(where) + ": " + std::string(e.type_name()) + ": " + e.message()).c_str());
                return;
            }
            QFAIL((std::string(where) + ": no exception").c_str());
        };
        for (const auto& row : rows) {
            const std::string where = std::string(1, row.code) + " <- " + row.input.repr();
            check((where + " (Value)").c_str(), row.type, row.message,
                  [&] { mp::Value(row.code, row.input); });
            mp::Value v(row.code);
            check((where + " (.value =)").c_str(), row.type, row.message, [&] { v.set_value(row.input); });
            mp::Array a(row.code, 1);
            check((where + " (a[0] =)").c_str(), row.type, row.message, [&] { a.set_item(0, row.input); });
            check((where + " (Array)").c_str(), row.type, row.message,
                  [&] { mp::Array(row.code, mp::Object::list({row.input})); });
        }
        // Typed assignment converts like Python assignment does.
        mp::Value i('i');
        QVERIFY(throws_with<mp::TypeError>([&] { i.set(2.5); },
                                           "'float' object cannot be interpreted as an integer"));
        i.set(std::int64_t{300});
        QCOMPARE(i.get<int>(), 300);
        mp::Value b('b');
        b.set(300);
        QCOMPARE(b.get<int>(), 44);
    }

    void defaultsAndRepr() {
        QCOMPARE(mp::Value('i').value().repr(), std::string("0"));
        QCOMPARE(mp::Value('d').value().repr(), std::string("0.0"));
        QCOMPARE(mp::Value('c').value().repr(), std::string("b'\\x00'"));
        QCOMPARE(mp::Value('u').value().repr(), std::string("'\\x00'"));
        QCOMPARE(mp::Value('i', 7).repr(), std::string("<Synchronized wrapper for c_int(7)>"));
        QCOMPARE(mp::RawValue('i', 7).repr(), std::string("c_int(7)"));
        QCOMPARE(mp::RawValue('d', 1.0 / 3.0).repr(), std::string("c_double(0.3333333333333333)"));
        QCOMPARE(mp::RawValue('c', bytes("x")).repr(), std::string("c_char(b'x')"));
        QCOMPARE(mp::RawValue('u', "x").repr(), std::string("c_wchar('x')"));
        QCOMPARE(mp::RawValue('f', 0.1).repr(), std::string("c_float(0.10000000149011612)"));
        QCOMPARE(mp::RawValue('q', 1).repr(), std::string("c_long(1)"));
        QCOMPARE(mp::RawValue('Q', 1).repr(), std::string("c_ulong(1)"));
        QCOMPARE(mp::RawValue('h', 1).repr(), std::string("c_short(1)"));
        QCOMPARE(mp::Value(mp::c_double, 1.0 / 3.0, false).repr(),
                 std::string("c_double(0.3333333333333333)"));
        QCOMPARE(mp::Value('i', 1).get_obj().repr(), std::string("c_int(1)"));
        auto starts = [](const std::string& text, const std::string& prefix) {
            return text.rfind(prefix, 0) == 0 && text.back() == '>';
        };
        QVERIFY(starts(
            mp::Array('i', {1, 2, 3}).repr(),
            "<SynchronizedArray wrapper for <multiprocessing.sharedctypes.c_int_Array_3 object at 0x"));
        QVERIFY(starts(
            mp::Array('c', bytes("hi")).repr(),
            "<SynchronizedString wrapper for <multiprocessing.sharedctypes.c_char_Array_2 object at 0x"));
        QVERIFY(
            starts(mp::RawArray('i', 3).repr(), "<multiprocessing.sharedctypes.c_int_Array_3 object at 0x"));
        QVERIFY(starts(mp::Value(mp::ctype<Point>(), Point{1, 2}).repr(),
                       "<SynchronizedPoint wrapper for <Point object at 0x"));
        QVERIFY(starts(mp::RawArray(mp::ctype<Point>(), 2).repr(),
                       "<multiprocessing.sharedctypes.Point_Array_2 object at 0x"));
        QCOMPARE(mp::Value('i').type_name(), std::string("Synchronized"));
        QCOMPARE(mp::RawArray('c', 4).type_name(), std::string("c_char_Array_4"));
        QCOMPARE(mp::Array('u', 4).type_name(), std::string("SynchronizedArray"));
    }

    void typedAccess() {
        mp::Value d('d', 0.5);
        QCOMPARE(d.get<double>(), 0.5);
        d.set(2.25);
        QCOMPARE(d.value(), mp::Object(2.25));
        d.set(3); // an int into 'd' converts, as in Python
        QCOMPARE(d.value().repr(), std::string("3.0"));
        QVERIFY(throws_with<mp::TypeError>([&] { d.get<int>(); }, "expected int, got float"));
        mp::Value c('c', bytes("q"));
        QCOMPARE(c.get<char>(), 'q');
        c.set('r');
        QCOMPARE(c.value(), bytes("r"));
        mp::Value u('u', "\xC3\xA9");
        QCOMPARE(u.get<char32_t>(), U'\u00e9');
        mp::Value l('l', -5);
        QCOMPARE(l.get<long long>(), -5LL); // 'l' and 'q' are one C type here
        QVERIFY(throws_with<mp::TypeError>([&] { l.get<std::string>(); }, "expected str, got int"));
    }

    void lockVariants() {
        QCOMPARE(mp::Value('i', 1).get_lock().repr(), std::string("<RLock(None, 0)>"));
        QVERIFY(mp::Value('i', 1).get_lock().is_rlock());
        QCOMPARE(mp::Value('i', 1, mp::None).get_lock().repr(), std::string("<RLock(None, 0)>"));
        QCOMPARE(mp::Value('i', 1, mp::Object(1)).get_lock().repr(), std::string("<RLock(None, 0)>"));
        mp::Lock lock;
        mp::Value v('i', 1, lock);
        QVERIFY(v.get_lock().same_as(lock));
        QVERIFY(v.get_lock().as_lock().same_as(lock));
        QCOMPARE(v.get_lock().repr(), std::string("<Lock(owner=None)>"));
        mp::RLock rlock;
        mp::Array a('d', 3, rlock);
        QVERIFY(a.get_lock().same_as(rlock));
        QVERIFY(
            throws_with<mp::TypeError>([&] { a.get_lock().as_lock(); }, "the lock is an RLock, not a Lock"));
        // A lock handed over as an mp::Object (e.g. received as an argument).
        mp::Value w('i', 1, mp::to_object(lock));
        QCOMPARE(w.get_lock().scope_id(), lock.scope_id());
        QVERIFY(throws_with<mp::AttributeError>([] { mp::Value('i', 1, mp::Object("x")); },
                                                "'x' has no method 'acquire'"));
        QVERIFY(throws_with<mp::AttributeError>([] { mp::Value('i', 1, mp::Object(0)); },
                                                "0 has no method 'acquire'"));
        QVERIFY(throws_with<mp::AttributeError>([] { mp::Array('i', 2, mp::Object(2.5)); },
                                                "2.5 has no method 'acquire'"));
        // Python checks the typecode before the lock.
        QVERIFY(
            throws_with<mp::TypeError>([] { mp::Value('z', 1, mp::Object("x")); }, "this type has no size"));
        // acquire/release go to the lock.
        QVERIFY(v.acquire(false));
        QVERIFY(lock.locked());
        QVERIFY(!v.acquire(true, 0.01));
        v.release();
        QVERIFY(!lock.locked());
    }

    void rawObjectsHaveNoLock() {
        mp::Value v('i', 7, false);
        QVERIFY(!v.is_synchronized());
        QCOMPARE(v.get<int>(), 7);
        QVERIFY(throws_with<mp::AttributeError>([&] { v.get_lock(); },
                                                "'c_int' object has no attribute 'get_lock'"));
        QVERIFY(throws_with<mp::AttributeError>([&] { v.get_obj(); },
                                                "'c_int' object has no attribute 'get_obj'"));
        QVERIFY(throws_with<mp::AttributeError>([&] { v.acquire(); },
                                                "'c_int' object has no attribute 'acquire'"));
        QVERIFY(throws_with<mp::AttributeError>([&] { v.release(); },
                                                "'c_int' object has no attribute 'release'"));
        QVERIFY(throws_with<mp::AttributeError>([] { mp::Array('i', 3, false).get_lock(); },
                                                "'c_int_Array_3' object has no attribute 'get_lock'"));
        QVERIFY(throws_with<mp::AttributeError>([] { mp::RawArray('c', 3).get_lock(); },
                                                "'c_char_Array_3' object has no attribute 'get_lock'"));
        QVERIFY(throws_with<mp::AttributeError>([] { mp::RawValue(mp::ctype<Point>()).get_obj(); },
                                                "'Point' object has no attribute 'get_obj'"));
        QVERIFY(!mp::RawValue('i').is_synchronized());
        QVERIFY(!mp::RawArray('i', {1}).is_synchronized());
    }

    void lockGuardIsWith() {
        mp::Value v('i', 1);
        {
            std::lock_guard hold(v.get_lock()); // with v.get_lock():
            QVERIFY(v.get_lock().locked());
            v.set(v.get<int>() + 1); // the default RLock lets the holder read and write
        }
        QVERIFY(!v.get_lock().locked());
        {
            std::lock_guard hold(v); // with v:
            QVERIFY(v.get_lock().locked());
        }
        QVERIFY(!v.get_lock().locked());
        QCOMPARE(v.get<int>(), 2);
    }

    void arrayInitialisers() {
        QCOMPARE(mp::Array('i', 3).slice().repr(), std::string("[0, 0, 0]"));
        QCOMPARE(mp::Array('i', {}).slice().repr(), std::string("[]"));
        QCOMPARE(mp::Array('i', 0).size(), std::size_t(0));
        QCOMPARE(mp::Array('i', {1, 2, 3}).slice().repr(), std::string("[1, 2, 3]"));
        QCOMPARE(mp::Array('d', std::vector<double>{0.5, 1.0 / 3.0}).slice().repr(),
                 std::string("[0.5, 0.3333333333333333]"));
        QCOMPARE(mp::Array('f', {0.1}).slice().repr(), std::string("[0.10000000149011612]"));
        QCOMPARE(mp::RawArray('i', mp::Object(true)).slice().repr(), std::string("[0]"));
        QCOMPARE(mp::RawArray('i', mp::Object::dict({{1, 2}, {3, 4}})).slice().repr(), std::string("[1, 3]"));
        QCOMPARE(mp::RawArray('i', bytes("ab")).slice().repr(), std::string("[97, 98]"));
        QCOMPARE(mp::Array('u', "hello").slice().repr(), std::string("'hello'"));
        QCOMPARE(len(mp::Array('b', mp::Object::tuple(1, 2))), std::size_t(2));
        QVERIFY(throws_with<mp::ValueError>([] { mp::Array('i', -1); }, "Array length must be >= 0, not -1"));
        QVERIFY(
            throws_with<mp::ValueError>([] { mp::RawArray('i', -1); }, "Array length must be >= 0, not -1"));
        QVERIFY(throws_with<mp::TypeError>([] { mp::RawArray('i', 2.0); },
                                           "object of type 'float' has no len()"));
        QVERIFY(throws_with<mp::TypeError>([] { mp::RawArray('i', mp::None); },
                                           "object of type 'NoneType' has no len()"));
        QVERIFY(throws_with<mp::OverflowError>([] { mp::RawArray('i', big("1180591620717411303424")); },
                                               "cannot fit 'int' into an index-sized integer"));
        QVERIFY(throws_with<mp::OverflowError>([] { mp::RawArray('i', std::int64_t{1} << 62); },
                                               "array too large"));
        QVERIFY(throws_with<mp::TypeError>(
            [] {
                mp::Array('i', {mp::Object(1), mp::Object(2.5)});
            },
            "'float' object cannot be interpreted as an integer"));
        QVERIFY(throws_with<mp::TypeError>([] { mp::Array('c', "hello"); },
                                           "one character bytes, bytearray or integer expected"));
        // More than the arena's heap: MemoryError naming the fix.
        const std::string text = error_of<mp::MemoryError>([] { mp::RawArray('d', std::int64_t{1} << 30); });
        QVERIFY2(text.find("MPSCOPE_ARENA_SIZE") != std::string::npos, text.c_str());
    }

    void indexing() {
        mp::Array a('i', {0, 1, 2});
        QCOMPARE(a.item(-1), mp::Object(2));
        QCOMPARE(a.get<int>(-3), 0);
        QVERIFY(throws_with<mp::IndexError>([&] { a.item(3); }, "invalid index"));
        QVERIFY(throws_with<mp::IndexError>([&] { a.item(-4); }, "invalid index"));
        QVERIFY(throws_with<mp::IndexError>([&] { a.set_item(3, 1); }, "invalid index"));
        QVERIFY(throws_with<mp::IndexError>([&] { a.set_item(-4, 1); }, "invalid index"));
        QVERIFY(throws_with<mp::IndexError>([&] { a.set(3, 1); }, "invalid index"));
        // The index is checked before the value, as in ctypes.
        QVERIFY(throws_with<mp::IndexError>([&] { a.set_item(5, 1.5); }, "invalid index"));
        QVERIFY(throws_with<mp::TypeError>([&] { a.set_item(0, 1.5); },
                                           "'float' object cannot be interpreted as an integer"));
        a.set_item(-1, 7);
        a.set(0, 5);
        QCOMPARE(a.slice().repr(), std::string("[5, 1, 7]"));
        QCOMPARE(a.values<int>(), (std::vector<int>{5, 1, 7}));
        QCOMPARE(a.values<double>(), (std::vector<double>{5, 1, 7})); // through mp::Object
        QCOMPARE(mp::Array('c', bytes("hello")).item(1), bytes("e"));
        QCOMPARE(mp::Array('u', "hello").item(1), mp::Object("e"));
    }

    void slices() {
        mp::Array a('i', std::vector<int>{0, 1, 2, 3, 4});
        QCOMPARE(a.slice({1, 3}).repr(), std::string("[1, 2]"));
        QCOMPARE(a.slice({.step = 2}).repr(), std::string("[0, 2, 4]"));
        QCOMPARE(a.slice({.step = -1}).repr(), std::string("[4, 3, 2, 1, 0]"));
        QCOMPARE(a.slice({.start = -2}).repr(), std::string("[3, 4]"));
        QCOMPARE(a.slice({.start = 10}).repr(), std::string("[]"));
        QCOMPARE(a.slice({-100, 2}).repr(), std::string("[0, 1]"));
        QCOMPARE(a.slice({3, 1, -1}).repr(), std::string("[3, 2]"));
        QCOMPARE(a.slice({-1, -100, -2}).repr(), std::string("[4, 2, 0]"));
        QVERIFY(throws_with<mp::ValueError>([&] { a.slice({.step = 0}); }, "slice step cannot be zero"));
        QCOMPARE(mp::Array('c', bytes("hello")).slice(), bytes("hello"));
        QCOMPARE(mp::Array('c', bytes("hello")).slice({1, 3}), bytes("el"));
        QCOMPARE(mp::Array('u', "hello").slice({1, 3}), mp::Object("el"));
    }

    void sliceAssignment() {
        const std::string size_msg = "Can only assign sequence of same size";
        mp::Array a('i', std::vector<int>{0, 1, 2, 3, 4});
        QVERIFY(throws_with<mp::ValueError>([&] { a.set_slice({1, 3}, mp::Object::list({9})); }, size_msg));
        QVERIFY(throws_with<mp::ValueError>(
            [&] {
                a.set_slice({.step = 2}, mp::Object::list({9, 8}));
            },
            size_msg));
        QVERIFY(throws_with<mp::ValueError>([&] { a.set_slice({}, mp::Object(3)); }, size_msg));
        a.set_slice({1, 3}, mp::Object::list({9, 8}));
        QCOMPARE(a.slice().repr(), std::string("[0, 9, 8, 3, 4]"));
        a.set_slice({.step = 2}, mp::Object::tuple(7, 6, 5));
        QCOMPARE(a.slice().repr(), std::string("[7, 9, 6, 3, 5]"));
        a.set_slice({.step = -1}, mp::Object::list({0, 1, 2, 3, 4}));
        QCOMPARE(a.slice().repr(), std::string("[4, 3, 2, 1, 0]"));
        // ctypes assigns item by item: the items before a bad one stay written.
        QVERIFY(throws_with<mp::TypeError>(
            [&] {
                a.set_slice({0, 2}, mp::Object::list({7, "x"}));
            },
            "'str' object cannot be interpreted as an integer"));
        QCOMPARE(a.slice().repr(), std::string("[7, 3, 2, 1, 0]"));
        mp::Array s('c', bytes("hello"));
        s.set_slice({0, 2}, bytes("xy"));
        QCOMPARE(s.value(), bytes("xyllo"));
        QVERIFY(throws_with<mp::ValueError>([&] { s.set_slice({0, 2}, bytes("xyz")); }, size_msg));
    }

    void charArrayValueAndRaw() {
        mp::Array s('c', bytes("hello"));
        QCOMPARE(s.type_name(), std::string("SynchronizedString"));
        QVERIFY(throws_with<mp::ValueError>([&] { s.set_value(bytes("abcdef")); }, "byte string too long"));
        s.set_value(bytes("abcde")); // exactly n bytes: no terminator
        QCOMPARE(s.value(), bytes("abcde"));
        QCOMPARE(s.raw(), bytes("abcde"));
        s.set_value(bytes("hello"));
        s.set_value(bytes("ab"));
        QCOMPARE(s.value(), bytes("ab"));
        QCOMPARE(s.raw(), bytes("ab\0lo", 5));
        s.set_value(bytes("hello"));
        s.set_raw(bytes("ab")); // a prefix only
        QCOMPARE(s.value(), bytes("abllo"));
        QCOMPARE(s.raw(), bytes("abllo"));
        s.set_raw(mp::Object::bytearray("AB"));
        QCOMPARE(s.raw(), bytes("ABllo"));
        QVERIFY(throws_with<mp::ValueError>([&] { s.set_raw(bytes("abcdef")); }, "byte string too long"));
        QVERIFY(throws_with<mp::TypeError>([&] { s.set_value(mp::Object("ab")); },
                                           "bytes expected instead of str instance"));
        QVERIFY(throws_with<mp::TypeError>([&] { s.set_value(mp::Object::bytearray("ab")); },
                                           "bytes expected instead of bytearray instance"));
        QVERIFY(throws_with<mp::TypeError>([&] { s.set_raw(mp::Object("ab")); },
                                           "a bytes-like object is required, not 'str'"));
        QVERIFY(throws_with<mp::TypeError>([&] { s.set_item(0, mp::Object("x")); },
                                           "one character bytes, bytearray or integer expected"));
        QVERIFY(throws_with<mp::TypeError>([&] { s.set_item(0, bytes("xy")); },
                                           "one character bytes, bytearray or integer expected"));
        s.set_item(0, 65);
        QCOMPARE(s.value(), bytes("ABllo"));
        mp::Array n('c', bytes("hel\0lo", 6));
        QCOMPARE(n.value(), bytes("hel"));
        QCOMPARE(n.raw(), bytes("hel\0lo", 6));
        QCOMPARE(n.slice(), bytes("hel\0lo", 6));
        mp::Array raw = mp::RawArray('c', bytes("hi"));
        QCOMPARE(raw.raw(), bytes("hi"));
        QCOMPARE(raw.value(), bytes("hi"));
        // Other arrays have neither.
        QVERIFY(throws_with<mp::AttributeError>([] { mp::Array('i', 3).value(); },
                                                "'SynchronizedArray' object has no attribute 'value'"));
        QVERIFY(throws_with<mp::AttributeError>([] { mp::Array('i', 3).raw(); },
                                                "'SynchronizedArray' object has no attribute 'raw'"));
        QVERIFY(throws_with<mp::AttributeError>([] { mp::RawArray('i', 3).value(); },
                                                "'c_int_Array_3' object has no attribute 'value'"));
        QVERIFY(throws_with<mp::AttributeError>([] { mp::RawArray('i', 3).set_raw(bytes("a")); },
                                                "'c_int_Array_3' object has no attribute 'raw'"));
    }

    void wcharArray() {
        QVERIFY(throws_with<mp::AttributeError>([] { mp::Array('u', "hi").value(); },
                                                "'SynchronizedArray' object has no attribute 'value'"));
        QVERIFY(throws_with<mp::AttributeError>([] { mp::RawArray('u', 3).raw(); },
                                                "'c_wchar_Array_3' object has no attribute 'raw'"));
        QCOMPARE(mp::RawArray('u', "hi").value(), mp::Object("hi"));
        QCOMPARE(mp::RawArray('u', 3).value(), mp::Object(""));
        mp::Array w = mp::RawArray('u', "hey");
        QVERIFY(throws_with<mp::ValueError>([&] { w.set_value(mp::Object("abcd")); }, "string too long"));
        QVERIFY(throws_with<mp::TypeError>([&] { w.set_value(bytes("a")); },
                                           "unicode string expected instead of bytes instance"));
        w.set_value(mp::Object("abc"));
        QCOMPARE(w.slice(), mp::Object("abc"));
        w.set_value(mp::Object("a"));
        QCOMPARE(w.slice().repr(), std::string("'a\\x00c'"));
        QCOMPARE(w.value(), mp::Object("a"));
    }

    void structValues() {
        mp::Value p(mp::ctype<Point>(), mp::Object::tuple(1, 2));
        QCOMPARE(p.type_name(), std::string("SynchronizedPoint"));
        QCOMPARE(p.field("x").repr(), std::string("1.0"));
        QCOMPARE(p.field("y").repr(), std::string("2.0"));
        QCOMPARE(p.value().repr(), std::string("(1.0, 2.0)"));
        QCOMPARE(mp::Value(mp::ctype<Point>(), mp::Object::tuple(1)).field("y").repr(), std::string("0.0"));
        QCOMPARE(mp::Value(mp::ctype<Point>(), 1.5).value().repr(), std::string("(1.5, 0.0)"));
        QCOMPARE(mp::Value(mp::ctype<Point>()).value().repr(), std::string("(0.0, 0.0)"));
        QVERIFY(throws_with<mp::TypeError>([] { mp::Value(mp::ctype<Point>(), mp::Object::tuple(1, 2, 3)); },
                                           "too many initializers"));
        QVERIFY(throws_with<mp::TypeError>([] { mp::Value(mp::ctype<Point>(), "a"); },
                                           "must be real number, not str"));
        QVERIFY(throws_with<mp::AttributeError>([&] { p.field("z"); },
                                                "'SynchronizedPoint' object has no attribute 'z'"));
        QVERIFY(throws_with<mp::AttributeError>([] { mp::RawValue(mp::ctype<Point>()).field("z"); },
                                                "'Point' object has no attribute 'z'"));
        QVERIFY(throws_with<mp::AttributeError>([] { mp::Value('i', 1).field("x"); },
                                                "'Synchronized' object has no attribute 'x'"));
        QVERIFY(throws_with<mp::TypeError>([&] { p.set_field("x", mp::Object("a")); },
                                           "must be real number, not str"));
        p.set_field("x", 4);
        QCOMPARE(p.get<Point>().x, 4.0);
        QCOMPARE(p.get<Point>().y, 2.0);
        p.set(Point{-1.5, 0.25});
        QCOMPARE(p.value().repr(), std::string("(-1.5, 0.25)"));
        p.set_value(mp::Object::tuple(7));
        QCOMPARE(p.value().repr(), std::string("(7.0, 0.0)"));
        using PairOfDoubles = std::pair<double, double>;
        QVERIFY(p.get<PairOfDoubles>() == PairOfDoubles(7.0, 0.0)); // through mp::Object
        // Mixed field types at their C offsets.
        mp::Value m(mp::ctype<Mixed>(), Mixed{'z', -5, 2.5});
        QCOMPARE(m.value().repr(), std::string("(b'z', -5, 2.5)"));
        QCOMPARE(m.get<Mixed>().b, -5);
        m.set_field("b", big("4294967297")); // wraps like C: 2**32 + 1 -> 1
        QCOMPARE(m.get<Mixed>().b, 1);
        QCOMPARE(m.get<Mixed>().a, 'z');
    }

    void structArrays() {
        mp::Array a(mp::ctype<Point>(), mp::Object::list({mp::Object::tuple(1, 2), mp::Object::tuple(3, 4)}));
        QCOMPARE(a.type_name(), std::string("SynchronizedArray"));
        QCOMPARE(a.slice().repr(), std::string("[(1.0, 2.0), (3.0, 4.0)]"));
        QCOMPARE(a.get<Point>(1).y, 4.0);
        a.set(1, Point{5, 6});
        QCOMPARE(a.item(1).repr(), std::string("(5.0, 6.0)"));
        a.set_item(0, mp::Object::tuple(1)); // Point(1): the other field is zero
        QCOMPARE(a.item(0).repr(), std::string("(1.0, 0.0)"));
        a.set_slice({}, mp::Object::list({mp::Object::tuple(8, 9), mp::Object::tuple(10, 11)}));
        const auto points = a.values<Point>();
        QCOMPARE(points.size(), std::size_t(2));
        QCOMPARE(points[1].x, 10.0);
        QCOMPARE(a.values<Point>()[0].y, 9.0);
        QCOMPARE(mp::Array(mp::ctype<Point>(), std::vector<Point>{{1, 2}}).item(0).repr(),
                 std::string("(1.0, 2.0)"));
        QCOMPARE(mp::Array(mp::ctype<Point>(), 2).slice().repr(), std::string("[(0.0, 0.0), (0.0, 0.0)]"));
        QVERIFY(throws_with<mp::RuntimeError>(
            [] { mp::Array(mp::ctype<Point>(), mp::Object::list({mp::Object::tuple(1, 2, 3)})); },
            "(Point) TypeError: too many initializers"));
        QVERIFY(throws_with<mp::RuntimeError>(
            [] { mp::Array(mp::ctype<Point>(), mp::Object::list({mp::Object::tuple(1, "a")})); },
            "(Point) TypeError: must be real number, not str"));
        QVERIFY(throws_with<mp::TypeError>([] { mp::Array(mp::ctype<Point>(), mp::Object::list({5})); },
                                           "expected Point instance, got int"));
        QVERIFY(throws_with<mp::TypeError>([&] { a.set_item(0, 5); }, "expected Point instance, got int"));
        QVERIFY(throws_with<mp::TypeError>(
            [&] {
                a.set_item(0, mp::Object::list({1, 2}));
            },
            "expected Point instance, got list"));
        QVERIFY(throws_with<mp::RuntimeError>([&] { a.set_item(0, mp::Object::tuple(1, 2, 3)); },
                                              "(Point) TypeError: too many initializers"));
        QVERIFY(throws_with<mp::TypeError>(
            [&] {
                a.set_slice({0, 1}, mp::Object::list({5}));
            },
            "expected Point instance, got int"));
    }

    void structMustBeDescribedCompletely() {
        const std::string text = error_of<mp::TypeError>([] { mp::Value(mp::ctype<Partial>()); });
        QVERIFY2(text.find("MP_CTYPES_STRUCT(Partial, ...) does not describe Partial") == 0, text.c_str());
        QVERIFY(!error_of<mp::TypeError>([] { mp::RawArray(mp::ctype<Partial>(), 2); }).empty());
    }

    void synchronizedWrapsRawMemory() {
        QVERIFY(throws_with<mp::AssertionError>([] { mp::synchronized(mp::Value('i', 1)); },
                                                "object already synchronized"));
        QVERIFY(throws_with<mp::AssertionError>([] { mp::synchronized(mp::Array('i', 1)); },
                                                "object already synchronized"));
        mp::Value raw = mp::RawValue('i', 5);
        mp::Value wrapped = mp::synchronized(raw);
        QVERIFY(wrapped.is_synchronized());
        QCOMPARE(wrapped.get_lock().repr(), std::string("<RLock(None, 0)>"));
        wrapped.set(9);
        QCOMPARE(raw.get<int>(), 9); // the same memory
        QVERIFY(wrapped.get_obj().same_as(raw));
        QCOMPARE(wrapped.repr(), std::string("<Synchronized wrapper for c_int(9)>"));
        mp::Lock lock;
        QVERIFY(mp::synchronized(raw, lock).get_lock().same_as(lock));
        QVERIFY(mp::synchronized(raw, mp::Object(0)).get_lock().is_rlock()); // `lock or RLock()`
        QVERIFY(mp::synchronized(raw, false).get_lock().is_rlock());
        QVERIFY(throws_with<mp::AttributeError>([&] { mp::synchronized(raw, mp::Object("x")); },
                                                "'str' object has no attribute 'acquire'"));
        QVERIFY(throws_with<mp::AttributeError>([&] { mp::synchronized(raw, true); },
                                                "'bool' object has no attribute 'acquire'"));
        mp::Array text = mp::synchronized(mp::RawArray('c', 3));
        QCOMPARE(text.type_name(), std::string("SynchronizedString"));
        text.set_value(bytes("ok"));
        QCOMPARE(text.value(), bytes("ok"));
    }

    void copyMakesNewMemory() {
        mp::Value raw = mp::RawValue('i', 5);
        mp::Value c = mp::copy(raw);
        QVERIFY(!c.is_synchronized());
        QVERIFY(!c.same_as(raw));
        c.set(6);
        QCOMPARE(raw.get<int>(), 5);
        QCOMPARE(c.get<int>(), 6);
        mp::Array a = mp::RawArray('i', {1, 2});
        mp::Array b = mp::copy(a);
        b.set_item(0, 10);
        QCOMPARE(a.slice().repr(), std::string("[1, 2]"));
        QCOMPARE(b.slice().repr(), std::string("[10, 2]"));
        mp::Array points = mp::copy(mp::RawArray(mp::ctype<Point>(), std::vector<Point>{{1, 2}}));
        QCOMPARE(points.get<Point>(0).y, 2.0);
        QVERIFY(throws_with<mp::TypeError>([] { mp::copy(mp::Value('i', 1)); }, "this type has no size"));
        QCOMPARE(mp::copy(mp::Value('i', 1).get_obj()).get<int>(), 1);
    }

    void contextMembers() {
        mp::Context& ctx = mp::get_context("spawn");
        QVERIFY(mp::Value(ctx, 'i', 7).get_lock().is_rlock());
        QVERIFY(!mp::Value(ctx, 'i', 1, false).is_synchronized());
        mp::Lock lock(ctx);
        QVERIFY(mp::Array(ctx, 'i', {1, 2}, lock).get_lock().same_as(lock));
        QCOMPARE(mp::Array(ctx, 'd', std::vector<double>{0.5}).slice().repr(), std::string("[0.5]"));
        // ctx.Value(...), ctx.Array(...), ctx.RawValue(...), ctx.RawArray(...)
        mp::Value v = ctx.Value('i', 7);
        QVERIFY(v.get_lock().is_rlock());
        QCOMPARE(ctx.Value('d').value().repr(), std::string("0.0"));
        QVERIFY(!ctx.Value('i', 1, false).is_synchronized());
        QCOMPARE(ctx.Array('i', 3).slice().repr(), std::string("[0, 0, 0]"));
        QCOMPARE(ctx.Array('i', {1, 2}).slice().repr(), std::string("[1, 2]"));
        QVERIFY(ctx.Array('i', {1, 2}, lock).get_lock().same_as(lock));
        QVERIFY(!ctx.RawValue('i').is_synchronized());
        QCOMPARE(ctx.RawValue('i', 4).get<int>(), 4);
        QCOMPARE(ctx.RawArray('i', 2).size(), std::size_t(2));
    }

    // The inspector reads shared values straight from the object table: the row must describe the memory.
    void arenaRowDescribesStorage() {
        mp::Array a('i', {1, 2, 3});
        mp::detail::Segment* s = sc::session();
        QVERIFY(s);
        s->header().observe_level.store(static_cast<std::uint32_t>(sc::ObserveLevel::Basic));
        sc::ObjectSlot* row = row_of(a);
        QVERIFY(row);
        const auto& st = row->state.array;
        QCOMPARE(row->kind.load(), static_cast<std::uint32_t>(sc::ObjectKind::Array));
        QCOMPARE(st.typecode.load(), std::uint32_t('i'));
        QCOMPARE(st.itemsize.load(), 4u);
        QCOMPARE(st.length.load(), 3u);
        QCOMPARE(st.layout_offset.load(), std::uint64_t(0));
        QCOMPARE(st.lock_serial.load(), a.get_lock().scope_id());
        QCOMPARE(s->object_at(st.lock_index.load()).serial.load(), a.get_lock().scope_id());
        auto* ints = static_cast<const std::int32_t*>(s->at(st.data_offset.load()));
        QCOMPARE(ints[0], 1);
        QCOMPARE(ints[2], 3);
        QCOMPARE(std::string(row->name).rfind("Array-", 0), std::size_t(0));

        const std::uint32_t head = st.writes_head.load();
        const std::uint64_t ops = row->ops.load();
        a.set_item(1, 42);
        QCOMPARE(ints[1], 42);
        QCOMPARE(st.writes_head.load(), head + 1);
        const auto& w = st.recent[head % 8];
        QCOMPARE(w.index.load(), 1u);
        QCOMPARE(w.process.load(), sc::self());
        QVERIFY(w.time_ns.load() > 0);
        QVERIFY(row->ops.load() > ops);
        a.set_slice({}, mp::Object::list({7, 8, 9}));
        QCOMPARE(st.writes_head.load(), head + 4);
        QCOMPARE(st.recent[(head + 3) % 8].index.load(), 2u);
        // Typed access takes its own one-element path, observed the same way: one operation each.
        const std::uint64_t ops_before_typed = row->ops.load();
        a.set(-1, 5);
        QCOMPARE(ints[2], 5);
        QCOMPARE(st.writes_head.load(), head + 5);
        QCOMPARE(st.recent[(head + 4) % 8].index.load(), 2u);
        QCOMPARE(st.recent[(head + 4) % 8].process.load(), sc::self());
        QVERIFY(st.recent[(head + 4) % 8].time_ns.load() > 0);
        QCOMPARE(a.get<int>(2), 5);
        QCOMPARE(row->ops.load(), ops_before_typed + 2);

        mp::Value d('d', 2.5, false);
        sc::ObjectSlot* vrow = row_of(d);
        QVERIFY(vrow);
        QCOMPARE(vrow->kind.load(), static_cast<std::uint32_t>(sc::ObjectKind::Value));
        QCOMPARE(vrow->state.array.typecode.load(), std::uint32_t('d'));
        QCOMPARE(vrow->state.array.length.load(), 1u);
        QCOMPARE(vrow->state.array.itemsize.load(), 8u);
        QCOMPARE(vrow->state.array.lock_index.load(), 0u); // raw
        QCOMPARE(*static_cast<const double*>(s->at(vrow->state.array.data_offset.load())), 2.5);

        mp::Array p(mp::ctype<Point>(), std::vector<Point>{{1.5, 2.5}, {3.5, 4.5}});
        sc::ObjectSlot* prow = row_of(p);
        QVERIFY(prow);
        QCOMPARE(prow->state.array.typecode.load(), std::uint32_t('T'));
        QCOMPARE(prow->state.array.itemsize.load(), std::uint32_t(sizeof(Point)));
        QCOMPARE(std::string(static_cast<const char*>(s->at(prow->state.array.layout_offset.load()))),
                 std::string("x:d,y:d"));
        const auto* doubles = static_cast<const double*>(s->at(prow->state.array.data_offset.load()));
        QCOMPARE(doubles[3], 4.5);

        mp::Value m(mp::ctype<Mixed>(), Mixed{'q', 7, 0.5});
        sc::ObjectSlot* mrow = row_of(m);
        QCOMPARE(std::string(static_cast<const char*>(s->at(mrow->state.array.layout_offset.load()))),
                 std::string("a:c,b:i,c:d"));
        const auto* bytes_at = static_cast<const unsigned char*>(s->at(mrow->state.array.data_offset.load()));
        std::int32_t b = 0;
        std::memcpy(&b, bytes_at + 4, 4);
        QCOMPARE(b, 7);
    }

    void storageFreedWithLastReference() {
        mp::Value warm('i'); // the session exists before measuring its heap
        mp::detail::Segment* s = sc::session();
        const std::size_t free_before = s->heap_free_bytes();
        std::uint32_t index = 0;
        std::uint32_t serial = 0;
        std::uint32_t lock_index = 0;
        std::uint32_t lock_serial = 0;
        {
            mp::Array a(mp::ctype<Point>(), 1000);
            mp::Array alias = a.get_obj(); // another front end: still one object
            index = index_of(row_of(a));
            serial = a.scope_id();
            lock_index = index_of(row_of(a.get_lock()));
            lock_serial = a.get_lock().scope_id();
            QVERIFY(s->heap_free_bytes() < free_before - 16000);
        }
        QVERIFY(s->object_at(index).serial.load() != serial);
        QVERIFY(s->object_at(lock_index).serial.load() != lock_serial); // the row's lock reference went too
        QCOMPARE(s->heap_free_bytes(), free_before);
    }

    void childSeesSameMemory_data() { add_methods(); }
    void childSeesSameMemory() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Value num(ctx, 'd', 0.0);
        mp::Array arr(ctx, 'i', std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        mp::Process p = ctx.Process(negate_all, mp::args(num, arr));
        p.start();
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
        QCOMPARE(num.value().repr(), std::string("3.1415927"));
        QCOMPARE(arr.slice().repr(), std::string("[0, -1, -2, -3, -4, -5, -6, -7, -8, -9]"));

        mp::Lock lock(ctx);
        mp::Array points(ctx, mp::ctype<Point>(), std::vector<Point>{{1.875, -6.25}, {-5.75, 2.0}}, lock);
        mp::Value origin(ctx, mp::ctype<Point>(), Point{1, 2});
        mp::Array text(ctx, 'c', bytes("hello"), lock);
        mp::Process q = ctx.Process(square_points, mp::args(points, origin, text));
        q.start();
        q.join();
        QCOMPARE(q.exitcode(), std::optional<int>(0));
        QCOMPARE(points.slice().repr(), std::string("[(3.515625, 39.0625), (33.0625, 4.0)]"));
        QCOMPARE(origin.value().repr(), std::string("(1.0, 5.5)"));
        QCOMPARE(text.value(), bytes("HELLO"));

        mp::Value raw(ctx, 'i', 1, false);
        mp::Process r = ctx.Process(set_raw_value, mp::args(raw, 17));
        r.start();
        r.join();
        QCOMPARE(raw.get<int>(), 17);
    }

    void childUsesPassedLock_data() { add_methods(); }
    void childUsesPassedLock() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Lock lock(ctx);
        mp::Value v(ctx, 'i', 0, lock);
        RawPipe out;
        RawPipe release;
        mp::Process p = ctx.Process(hold_lock_while_writing,
                                    mp::args(v, lock, out.write_handle(), release.read_handle()));
        p.start();
        auto guard = qScopeGuard([&] { kill_if_running(p); });
        QCOMPARE(read_line(out.r()).value_or("<nothing>"), std::string("same locked"));
        QVERIFY(lock.locked());               // the child holds the parent's lock ...
        QVERIFY(!v.acquire(false));           // ... which is the Value's lock here too
        QCOMPARE(v.get_obj().get<int>(), 42); // written through the shared memory
        release.send_byte();
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
        QVERIFY(!lock.locked());
        QCOMPARE(v.get<int>(), 42);
    }

    void lockedIncrementsFromChildren_data() { add_methods(); }
    void lockedIncrementsFromChildren() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Value counter(ctx, 'i', 0);
        std::vector<mp::Process> children;
        for (int i = 0; i < 4; ++i)
            children.push_back(ctx.Process(add_under_lock, mp::args(counter, 250)));
        for (auto& c : children)
            c.start();
        for (auto& c : children) {
            c.join();
            QCOMPARE(c.exitcode(), std::optional<int>(0));
        }
        QCOMPARE(counter.get<int>(), 1000);
    }

    void valuesTravelInPipeMessages_data() { add_methods(); }
    void valuesTravelInPipeMessages() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        auto [mine, theirs] = mp::Pipe();
        mp::Process p = ctx.Process(modify_received, mp::args(theirs));
        p.start();
        auto guard = qScopeGuard([&] { kill_if_running(p); });
        mp::Value v(ctx, 'q', 21);
        mp::Array a(ctx, 'd', 3, false);
        mine.send(v);
        mine.send(a);
        QCOMPARE(mine.recv(), mp::Object("done"));
        p.join();
        QCOMPARE(v.get<std::int64_t>(), 42);
        QCOMPARE(a.slice().repr(), std::string("[-1.5, 2.5, 0.0]"));
    }

    void forkContextLockRefusedBySpawn() {
        mp::Value v(mp::get_context("fork"), 'i', 1);
        for (const char* method : {"spawn", "forkserver"}) {
            mp::Process p = mp::get_context(method).Process(set_raw_value, mp::args(v, 2));
            // Python names the spawn context for forkserver children too.
            QVERIFY(throws_with<mp::RuntimeError>(
                [&] { p.start(); },
                "A SemLock created in a fork context is being shared with a process in a spawn context. This "
                "is "
                "not supported. Please use the same context to create multiprocessing objects and Process."));
        }
        // Raw memory has no lock and goes anywhere.
        mp::Value raw(mp::get_context("fork"), 'i', 1, false);
        mp::Process p = mp::get_context("spawn").Process(set_raw_value, mp::args(raw, 2));
        p.start();
        p.join();
        QCOMPARE(raw.get<int>(), 2);
    }
};

MP_QTEST_MAIN(TestSharedCTypes)
#include "tst_sharedctypes.moc"
