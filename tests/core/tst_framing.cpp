// SPEC §15.1 framing: header encoding/decoding (including the 8-byte extended header, checked without
// allocating 2 GiB) and the frame parser's end-of-file rules, run over in-memory bytes.
#include <QTest>
#include <mp/connection.hpp>

#include <string>
#include <vector>

using mp::connection::MemorySource;
using mp::connection::read_frame;

namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values)
        out.push_back(std::byte(v));
    return out;
}

std::vector<std::byte> bytes_of(std::string_view text) {
    const auto view = std::as_bytes(std::span(text.data(), text.size()));
    return {view.begin(), view.end()};
}

std::vector<std::byte> concat(std::vector<std::byte> a, const std::vector<std::byte>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

std::vector<std::byte> header_of(std::uint64_t length) {
    const auto header = mp::connection::encode_header(length);
    return {header.view().begin(), header.view().end()};
}

template <class E> QString error_of(const std::vector<std::byte>& stream) {
    MemorySource source(stream);
    try {
        read_frame(source);
    } catch (const E& e) {
        return QString::fromStdString(e.message());
    }
    return QStringLiteral("<no error>");
}

} // namespace

class TestFraming : public QObject {
    Q_OBJECT
private slots:
    void shortHeaderIsBigEndianInt32() {
        QCOMPARE(header_of(3), bytes_of({0, 0, 0, 3}));
        QCOMPARE(header_of(0), bytes_of({0, 0, 0, 0}));
        QCOMPARE(header_of(0x01020304), bytes_of({1, 2, 3, 4}));
        QCOMPARE(header_of(0x7fffffff), bytes_of({0x7f, 0xff, 0xff, 0xff}));
    }

    void extendedHeaderAboveInt32Max() {
        // 2^31 bytes is the first length that needs −1 followed by the 8-byte big-endian length.
        QCOMPARE(header_of(0x80000000ull), bytes_of({0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0x80, 0, 0, 0}));
        QCOMPARE(header_of(0x0102030405060708ull),
                 bytes_of({0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8}));
        QCOMPARE(header_of(~0ull),
                 bytes_of({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
    }

    void decodeRoundTrips() {
        for (std::uint64_t length : {0ull, 1ull, 16384ull, 0x7fffffffull, 0x80000000ull, 5ull << 32, ~0ull}) {
            const auto header = mp::connection::encode_header(length);
            const auto prefix = mp::connection::decode_header_prefix(header.view().first<4>());
            QVERIFY(prefix.has_value());
            if (length <= mp::connection::max_short_body) {
                QCOMPARE(header.size, std::size_t(4));
                QVERIFY(!prefix->extended);
                QCOMPARE(prefix->length, length);
            } else {
                QCOMPARE(header.size, std::size_t(12));
                QVERIFY(prefix->extended);
                QCOMPARE(mp::connection::decode_extended_length(header.view().subspan<4, 8>()), length);
            }
        }
    }

    void headerBelowMinusOneIsRejected() {
        for (auto raw : {bytes_of({0xff, 0xff, 0xff, 0xfe}), bytes_of({0xff, 0xff, 0xff, 0xfb}),
                         bytes_of({0x80, 0, 0, 0})}) {
            QVERIFY(!mp::connection::decode_header_prefix(std::span<const std::byte, 4>(raw.data(), 4)));
            MemorySource source(raw);
            QVERIFY(!read_frame(source).has_value());
        }
    }

    void readsConsecutiveFrames() {
        const auto stream = concat(concat(concat(header_of(3), bytes_of("abc")), header_of(0)),
                                   concat(header_of(5), bytes_of("hello")));
        MemorySource source(stream);
        QCOMPARE(read_frame(source).value(), std::string("abc"));
        QCOMPARE(read_frame(source).value(), std::string());
        QCOMPARE(read_frame(source).value(), std::string("hello"));
        QVERIFY_THROWS_EXCEPTION(mp::EOFError, read_frame(source));
    }

    void extendedHeaderAcceptedForAnyLength() {
        // A peer may use the long form for a short body; the reader must accept it.
        const auto stream =
            concat(bytes_of({0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 5}), bytes_of("hello"));
        MemorySource source(stream);
        QCOMPARE(read_frame(source).value(), std::string("hello"));
        QCOMPARE(source.remaining(), std::size_t(0));
    }

    void endOfFileRules() {
        // Nothing at all, or a complete header and then nothing: a clean end → EOFError.
        QCOMPARE(error_of<mp::EOFError>({}), QString(""));
        QCOMPARE(error_of<mp::EOFError>(header_of(3)), QString(""));
        QCOMPARE(error_of<mp::EOFError>(bytes_of({0xff, 0xff, 0xff, 0xff})), QString(""));
        QCOMPARE(error_of<mp::EOFError>(bytes_of({0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 2})),
                 QString(""));
        // Ending inside a header or a body → OSError('got end of file during message').
        const QString truncated("got end of file during message");
        QCOMPARE(error_of<mp::OSError>(bytes_of({0, 0})), truncated);
        QCOMPARE(error_of<mp::OSError>(bytes_of({0xff, 0xff, 0xff, 0xff, 0, 0, 0})), truncated);
        QCOMPARE(error_of<mp::OSError>(concat(header_of(3), bytes_of("ab"))), truncated);
    }

    void maxlengthLeavesBodyUnread() {
        const auto stream = concat(header_of(5), bytes_of("hello"));
        MemorySource source(stream);
        QVERIFY(!read_frame(source, 4).has_value());
        QCOMPARE(source.remaining(), std::size_t(5));
        MemorySource exact(stream);
        QCOMPARE(read_frame(exact, 5).value(), std::string("hello"));
    }

    void hugeAnnouncedLengthDoesNotAllocateUpFront() {
        // 2^62 bytes announced, 3 delivered: the reader reports truncation instead of failing to allocate.
        const auto stream = concat(header_of(std::uint64_t(1) << 62), bytes_of("abc"));
        QCOMPARE(error_of<mp::OSError>(stream), QString("got end of file during message"));
    }

    void bodyLargerThanFirstChunk() {
        // Larger than the parser's first buffer, so the growth path is exercised.
        std::string body(3 * 1024 * 1024 + 7, '\0');
        for (std::size_t i = 0; i < body.size(); ++i)
            body[i] = char(i * 131 % 251);
        const auto stream = concat(header_of(body.size()), bytes_of(body));
        MemorySource source(stream);
        QCOMPARE(read_frame(source).value() == body, true);
    }
};

QTEST_APPLESS_MAIN(TestFraming)
#include "tst_framing.moc"
