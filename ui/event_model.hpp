#pragma once
// The session's event stream as a table that only grows at the bottom (and drops its oldest rows beyond a
// limit), plus the filter the event view puts on it.
#include "frame.hpp"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <deque>
#include <set>
#include <string>
#include <unordered_map>

namespace mpui {

class EventModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Time, Process, Object, Operation, Argument, Thread, ColumnCount };
    enum Role {
        ProcessIdRole = Qt::UserRole + 1,
        ObjectIdRole,
        OperationRole, // QString
        SeqRole,       // qulonglong
    };

    explicit EventModel(QObject* parent = nullptr);

    void setFrame(const FramePtr& frame);
    void clear();
    void retranslate();
    // Rows kept (default 20000); the oldest go first.
    void setLimit(int rows);
    int limit() const { return limit_; }

    const mp::scope::Event& event(int row) const { return events_[static_cast<std::size_t>(row)]; }
    QString processName(quint32 id) const;
    QString objectName(quint32 id) const;
    // Every operation seen so far, sorted.
    QStringList operations() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

signals:
    void operationsChanged();

private:
    void trimTo(std::size_t rows);

    std::deque<mp::scope::Event> events_;
    std::unordered_map<quint32, std::string> processNames_;
    std::unordered_map<quint32, std::string> objectNames_;
    std::set<std::string> operations_;
    int limit_ = 20000;
};

// Filters by process, object and operation (0 / empty: any), and by text in any of the three names.
class EventFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit EventFilterModel(QObject* parent = nullptr);

    void setProcess(quint32 process);
    void setObject(quint32 object);
    void setOperation(const QString& op);
    void setText(const QString& text);
    quint32 process() const { return process_; }
    quint32 object() const { return object_; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    void refilter();

    quint32 process_ = 0;
    quint32 object_ = 0;
    std::string op_;
    QString text_;
};

} // namespace mpui
