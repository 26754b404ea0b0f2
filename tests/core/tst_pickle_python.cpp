// Pickle against the real thing: random values (fixed seeds) go through python3's pickle both ways.
// - Ours -> Python: Python loads our bytes, dumps them again (protocol 4) and prints repr; we load its
//   bytes and compare with ==, and compare bytes and repr where Python's set order cannot differ.
// - Python -> ours: Python generates values and sends pickle + repr; we load, compare repr and dump
//   byte-identical bytes (the generator shares equal strings, like interned/literal strings are).
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <mp/pickle.hpp>

#include <cstring>
#include <random>

namespace {

using mp::Object;

constexpr const char* python_script = R"PY(
import multiprocessing, multiprocessing.managers, pickle, queue, random, struct, sys, threading
out = sys.stdout.buffer
def put(b):
    out.write(struct.pack('<I', len(b)))
    out.write(b)
def text_of(v):
    return repr(v).encode('utf-8', 'surrogatepass')

if sys.argv[1] == 'echo':
    data = sys.stdin.buffer.read()
    pos = 0
    while pos < len(data):
        (n,) = struct.unpack_from('<I', data, pos)
        v = pickle.loads(data[pos + 4:pos + 4 + n])
        pos += 4 + n
        put(pickle.dumps(v, protocol=4))
        put(text_of(v))
    sys.exit(0)

r = random.Random(int(sys.argv[2]))
shared = {}
def text():
    chars = []
    for _ in range(r.choice([0, 1, 1, 2, 3, 5, 8, 20, 300])):
        k = r.random()
        if k < 0.6: c = chr(r.randrange(32, 127))
        elif k < 0.7: c = r.choice('\t\n\r\x00\x7f\'"\\')
        elif k < 0.8: c = chr(r.randrange(0x80, 0x100))
        elif k < 0.9: c = chr(r.randrange(0x100, 0xd800))
        elif k < 0.97: c = chr(r.randrange(0x10000, 0x110000))
        else: c = chr(r.randrange(0xd800, 0xe000))
        chars.append(c)
    t = ''.join(chars)
    return shared.setdefault(t, t)  # equal strings are one object, as interned ones are
def integer():
    return r.choice([r.randrange(256), r.randrange(65536), r.randrange(-2**31, 2**31), r.randrange(-2**63, 2**63),
                     r.randrange(-2**300, 2**300), r.choice([255, 256, 65535, 65536, -1, 2**31, -2**31 - 1, 2**63,
                     -2**63, -2**63 - 1, 2**64, -(2**2100) + 7])])
def real(allow_nan):
    k = r.randrange(6)
    if k == 0: return r.uniform(-1e6, 1e6)
    if k == 1: return r.choice([0.0, -0.0, float('inf'), -float('inf'), 1e16, 1e-5, 0.1, 5e-324])
    if k == 2: return r.random() * 10 ** r.randrange(-30, 30)
    v = struct.unpack('<d', r.randbytes(8))[0]
    if v != v and not allow_nan: return 1.5
    return v
def blob():
    return r.randbytes(r.choice([0, 1, 2, 5, 30, 70000 if r.random() < 0.002 else 3]))
errors = [ValueError, TypeError, KeyError, OSError, RuntimeError, ZeroDivisionError, queue.Empty, queue.Full,
          multiprocessing.TimeoutError, multiprocessing.AuthenticationError, threading.BrokenBarrierError,
          multiprocessing.managers.RemoteError]
def exception():
    cls = r.choice(errors)
    message = text()
    e = cls(message) if message and r.random() < 0.7 else cls()
    if r.random() < 0.3:
        e.traceback = text() or 'Traceback (most recent call last)'
    return e
def hashable(depth):
    k = r.randrange(8 if depth < 3 else 6)
    if k == 0: return None
    if k == 1: return r.random() < 0.5
    if k == 2: return integer()
    if k == 3: return real(False)
    if k == 4: return text()
    if k == 5: return blob()
    if k == 6: return tuple(hashable(depth + 1) for _ in range(r.randrange(5)))
    return frozenset(hashable(depth + 1) for _ in range(r.randrange(5)))
def value(depth):
    k = r.randrange(14 if depth < 4 else 8)
    if k < 6: return hashable(depth + 3)
    if k == 6: return bytearray(blob())
    if k == 7: return exception()
    n = r.randrange(900, 2100) if depth == 0 and r.random() < 0.03 else r.randrange(6)
    if k == 8: return [value(depth + 1) for _ in range(n)]
    if k == 9: return tuple(value(depth + 1) for _ in range(n))
    if k == 10: return {hashable(depth + 1): value(depth + 1) for _ in range(n)}
    if k == 11: return set(hashable(depth + 1) for _ in range(n))
    if k == 12: return frozenset(hashable(depth + 1) for _ in range(n))
    return real(True)
for _ in range(int(sys.argv[3])):
    v = value(0)
    put(pickle.dumps(v, protocol=4))
    put(text_of(v))
)PY";

QString python() {
    return QStandardPaths::findExecutable("python3");
}

// Runs the script with `input` on stdin and returns its stdout; empty on failure. Files rather than
// pipes keep the two sides from waiting on each other's buffers.
QByteArray run_python(const QStringList& arguments, const QByteArray& input) {
    QTemporaryDir dir;
    if (!dir.isValid()) return {};
    QFile in(dir.filePath("in"));
    if (!in.open(QIODevice::WriteOnly) || in.write(input) != input.size()) return {};
    in.close();
    QProcess process;
    process.setStandardInputFile(dir.filePath("in"));
    process.setStandardOutputFile(dir.filePath("out"));
    process.start(python(), QStringList{"-c", python_script} + arguments);
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        qWarning("python3 failed: %s", process.readAllStandardError().constData());
        return {};
    }
    QFile out(dir.filePath("out"));
    if (!out.open(QIODevice::ReadOnly)) return {};
    return out.readAll();
}

// Length-prefixed records as written by put() above.
class Records {
public:
    explicit Records(QByteArray data)
        : data_(std::move(data)) {}
    bool at_end() const { return pos_ >= data_.size(); }
    std::string next() {
        if (data_.size() - pos_ < 4) throw std::runtime_error("short record header");
        std::uint32_t n;
        std::memcpy(&n, data_.constData() + pos_, 4);
        pos_ += 4;
        if (std::size_t(data_.size() - pos_) < n) throw std::runtime_error("short record");
        std::string record(data_.constData() + pos_, n);
        pos_ += n;
        return record;
    }

private:
    QByteArray data_;
    qsizetype pos_ = 0;
};

void append_record(QByteArray& out, const std::string& bytes) {
    const auto n = static_cast<std::uint32_t>(bytes.size());
    out.append(reinterpret_cast<const char*>(&n), 4);
    out.append(bytes.data(), qsizetype(bytes.size()));
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class Generator {
public:
    explicit Generator(std::uint64_t seed)
        : rng_(seed) {}

    Object value(int depth) {
        const auto k = below(depth == 0 ? 15 : depth < 4 ? 14 : 8);
        if (k < 6) return hashable(depth + 3);
        switch (k) {
        case 6:
            return Object::bytearray(blob());
        case 7:
            return exception();
        case 13:
            return real();
        case 14:
            // Large enough for several 64 KiB frames (top level only, to keep the run short).
            return below(2) ? Object(std::string(70000 + below(70000), 'z')) : Object::bytes(blob(66000));
        default:
            break;
        }
        const std::size_t n = depth == 0 && below(30) == 0 ? 900 + below(1200) : below(6);
        std::vector<Object> items;
        switch (k) {
        case 8:
        case 9:
            for (std::size_t i = 0; i < n; ++i)
                items.push_back(value(depth + 1));
            return k == 8 ? Object::list(std::move(items)) : Object::tuple(std::move(items));
        case 10: {
            mp::Dict d;
            for (std::size_t i = 0; i < n; ++i)
                d.set(hashable(depth + 1), value(depth + 1));
            return Object::dict(std::move(d));
        }
        default:
            for (std::size_t i = 0; i < n; ++i)
                items.push_back(hashable(depth + 1));
            return k == 11 ? Object::set(std::move(items)) : Object::frozenset(std::move(items));
        }
    }

private:
    std::uint64_t below(std::uint64_t n) { return rng_() % n; }

    std::string text() {
        static constexpr std::size_t lengths[] = {0, 1, 1, 2, 3, 5, 8, 20, 300};
        const std::size_t n = lengths[below(std::size(lengths))];
        std::string out;
        for (std::size_t i = 0; i < n; ++i) {
            const auto k = below(100);
            if (k < 60) {
                out += static_cast<char>(32 + below(95));
            } else if (k < 70) {
                out += "\t\n\r\x7f'\"\\"[below(7)];
            } else if (k < 80) {
                append_utf8(out, char32_t(0x80 + below(0x80)));
            } else if (k < 90) {
                append_utf8(out, char32_t(0x100 + below(0xD800 - 0x100)));
            } else if (k < 97) {
                append_utf8(out, char32_t(0x10000 + below(0x100000)));
            } else {
                append_utf8(out, char32_t(0xD800 + below(0x800))); // lone surrogate, as surrogatepass
            }
        }
        return out;
    }

    std::string blob(std::size_t n = 0) {
        static constexpr std::size_t lengths[] = {0, 1, 2, 5, 30, 3};
        if (n == 0) n = lengths[below(std::size(lengths))];
        std::string out(n, '\0');
        for (auto& c : out)
            c = static_cast<char>(rng_());
        return out;
    }

    Object integer() {
        switch (below(6)) {
        case 0:
            return Object(below(256));
        case 1:
            return Object(below(65536));
        case 2:
            return Object(static_cast<std::int32_t>(rng_()));
        case 3:
            return Object(static_cast<std::int64_t>(rng_()));
        case 4: {
            std::string twos = blob(9 + below(40));
            return Object(mp::BigInt::from_twos_complement(twos));
        }
        default: {
            static const char* edges[] = {"255",
                                          "256",
                                          "65535",
                                          "65536",
                                          "-1",
                                          "2147483648",
                                          "-2147483649",
                                          "9223372036854775808",
                                          "-9223372036854775808",
                                          "-9223372036854775809",
                                          "18446744073709551616"};
            return Object::parse_int(edges[below(std::size(edges))]);
        }
        }
    }

    Object real() {
        switch (below(4)) {
        case 0:
            return Object(std::uniform_real_distribution<double>(-1e6, 1e6)(rng_));
        case 1: {
            static const double specials[] = {0.0, -0.0, INFINITY, -INFINITY, 1e16, 1e-5, 0.1, 5e-324};
            return Object(specials[below(std::size(specials))]);
        }
        default: {
            double v;
            const std::uint64_t bits = rng_();
            std::memcpy(&v, &bits, sizeof v);
            return Object(std::isnan(v) ? 2.5 : v); // nan != nan would defeat the == comparison
        }
        }
    }

    Object exception() {
        static const char* types[] = {
            "ValueError",         "TypeError",  "KeyError", "OSError",      "RuntimeError",
            "ZeroDivisionError",  "Empty",      "Full",     "TimeoutError", "AuthenticationError",
            "BrokenBarrierError", "RemoteError"};
        mp::ExceptionValue e{types[below(std::size(types))], below(3) ? text() : std::string(), ""};
        if (below(3) == 0) e.traceback = "Traceback (most recent call last):\n" + text();
        return Object(std::move(e));
    }

    Object hashable(int depth) {
        switch (below(depth < 3 ? 8 : 6)) {
        case 0:
            return Object();
        case 1:
            return Object(below(2) == 0);
        case 2:
            return integer();
        case 3:
            return real();
        case 4:
            return Object(text());
        case 5:
            return Object::bytes(blob());
        case 6: {
            std::vector<Object> items;
            for (auto n = below(5); n > 0; --n)
                items.push_back(hashable(depth + 1));
            return Object::tuple(std::move(items));
        }
        default: {
            std::vector<Object> items;
            for (auto n = below(5); n > 0; --n)
                items.push_back(hashable(depth + 1));
            return Object::frozenset(std::move(items));
        }
        }
    }

    std::mt19937_64 rng_;
};

// Python iterates a set in hash order, so bytes and repr only match for sets of at most one item.
bool python_order_matches(const Object& v) {
    switch (v.kind()) {
    case mp::ObjectKind::Set:
    case mp::ObjectKind::FrozenSet:
        return v.size() <= 1 && std::all_of(v.as_set().begin(), v.as_set().end(), python_order_matches);
    case mp::ObjectKind::List:
    case mp::ObjectKind::Tuple:
        return std::all_of(v.items().begin(), v.items().end(), python_order_matches);
    case mp::ObjectKind::Dict:
        return std::all_of(v.as_dict().begin(), v.as_dict().end(), [](const auto& entry) {
            return python_order_matches(entry.first) && python_order_matches(entry.second);
        });
    default:
        return true;
    }
}

} // namespace

class TestPicklePython : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        if (python().isEmpty()) QSKIP("python3 is not installed");
    }

    void oursThroughPython() {
        Generator generator(20240611);
        std::vector<Object> values;
        std::vector<std::string> pickles;
        QByteArray input;
        for (int i = 0; i < 2500; ++i) {
            values.push_back(generator.value(0));
            pickles.push_back(mp::pickle::dumps(values.back()));
            append_record(input, pickles.back());
        }
        Records output(run_python({"echo"}, input));
        QVERIFY(!output.at_end());
        int byte_identical = 0;
        for (std::size_t i = 0; i < values.size(); ++i) {
            const std::string python_bytes = output.next();
            const std::string python_repr = output.next();
            const Object back = mp::pickle::loads(python_bytes);
            QVERIFY2(back == values[i],
                     ("value " + std::to_string(i) + ": " + values[i].repr().substr(0, 300)).c_str());
            if (python_order_matches(values[i])) {
                QVERIFY2(python_bytes == pickles[i],
                         ("value " + std::to_string(i) + ": " + values[i].repr().substr(0, 300)).c_str());
                QCOMPARE(QString::fromStdString(values[i].repr()), QString::fromStdString(python_repr));
                ++byte_identical;
            }
        }
        QVERIFY(output.at_end());
        QVERIFY(byte_identical > 1500); // most values have no multi-item set
    }

    void pythonThroughOurs() {
        Records output(run_python({"generate", "4242", "1500"}, {}));
        QVERIFY(!output.at_end());
        int count = 0;
        while (!output.at_end()) {
            const std::string python_bytes = output.next();
            const std::string python_repr = output.next();
            const Object value = mp::pickle::loads(python_bytes);
            QCOMPARE(QString::fromStdString(value.repr()), QString::fromStdString(python_repr));
            QVERIFY2(mp::pickle::dumps(value) == python_bytes, python_repr.substr(0, 300).c_str());
            ++count;
        }
        QCOMPARE(count, 1500);
    }
};

QTEST_APPLESS_MAIN(TestPicklePython)
#include "tst_pickle_python.moc"
