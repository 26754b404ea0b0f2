// Error hierarchy: Python's subclass relations hold and exceptions can be rebuilt from their type name.
#include <QTest>
#include <mp/errors.hpp>

class TestErrors : public QObject {
    Q_OBJECT
private slots:
    void hierarchyMirrorsPython() {
        QVERIFY((std::is_base_of_v<mp::ProcessError, mp::TimeoutError>));
        QVERIFY((std::is_base_of_v<mp::ProcessError, mp::AuthenticationError>));
        QVERIFY((std::is_base_of_v<mp::ProcessError, mp::BufferTooShort>));
        QVERIFY((std::is_base_of_v<mp::RuntimeError, mp::BrokenBarrierError>));
        QVERIFY((std::is_base_of_v<mp::LookupError, mp::KeyError>));
        QVERIFY(!(std::is_base_of_v<mp::OSError, mp::TimeoutError>));
        QCOMPARE(mp::TimeoutError("x").type_name(), std::string_view("TimeoutError"));
    }
    void bufferTooShortCarriesMessage() {
        mp::BufferTooShort e(std::string("abc\0d", 5));
        QCOMPARE(e.message_bytes().size(), size_t(5));
        QCOMPARE(e.type_name(), std::string_view("BufferTooShort"));
    }
    void rebuildByTypeName() {
        QVERIFY_THROWS_EXCEPTION(mp::ValueError, mp::throw_by_type_name("ValueError", "bad"));
        try {
            mp::throw_by_type_name("ZeroDivisionError", "division by zero");
            QFAIL("no throw");
        } catch (const mp::ZeroDivisionError& e) {
            QCOMPARE(e.message(), std::string("division by zero"));
        }
        try {
            mp::throw_by_type_name("MyOwnError", "boom");
            QFAIL("no throw");
        } catch (const mp::RemoteError& e) {
            QCOMPARE(e.message(), std::string("MyOwnError: boom"));
        }
    }
    void registeredUserType() {
        struct MyError : mp::Exception {
            using mp::Exception::Exception;
        };
        mp::register_exception_type<MyError>("MyError");
        QVERIFY_THROWS_EXCEPTION(MyError, mp::throw_by_type_name("MyError", "x"));
    }
    void errnoText() {
        try {
            mp::throw_errno("open /nonexistent", ENOENT);
        } catch (const mp::SystemError& e) {
            QCOMPARE(e.error_code(), ENOENT);
            QCOMPARE(e.message(), std::string("open /nonexistent: No such file or directory"));
        }
    }
};

QTEST_APPLESS_MAIN(TestErrors)
#include "tst_errors.moc"
