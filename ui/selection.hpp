#pragma once
// The one selection every view shares: selecting a process or an object anywhere selects it everywhere.
#include <QMetaType>
#include <QObject>

namespace mpui {

struct ItemRef {
    enum class Kind { None, Process, Object };
    Kind kind = Kind::None;
    quint32 id = 0;

    static ItemRef process(quint32 id) { return {Kind::Process, id}; }
    static ItemRef object(quint32 id) { return {Kind::Object, id}; }
    bool isProcess() const { return kind == Kind::Process; }
    bool isObject() const { return kind == Kind::Object; }
    bool isNone() const { return kind == Kind::None; }
    bool operator==(const ItemRef&) const = default;
};

class SelectionHub : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ItemRef current() const { return current_; }
    // Emits changed() when `ref` differs from the current selection.
    void select(ItemRef ref);
    void clear() { select({}); }

signals:
    void changed(mpui::ItemRef ref);

private:
    ItemRef current_;
};

} // namespace mpui

Q_DECLARE_METATYPE(mpui::ItemRef)
