#pragma once
// The processes of a session as a tree by parent. Updated from each frame by diffing: rows are inserted,
// removed or changed, never reset, so selections, expansion and scroll positions survive refreshes.
#include "frame.hpp"

#include <QAbstractItemModel>

#include <memory>
#include <unordered_map>
#include <vector>

namespace mpui {

class ProcessModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { Name, Pid, Method, State, BlockedOn, ExitCode, CpuTime, ColumnCount };
    enum Role {
        ProcessIdRole = Qt::UserRole + 1, // quint32 serial
        PidRole,                          // int
        VisualStateRole,                  // int (VisualState)
        DeadlockedRole,                   // bool
        SortRole,                         // numbers as numbers
    };

    explicit ProcessModel(QObject* parent = nullptr);
    ~ProcessModel() override;

    void setFrame(const FramePtr& frame);
    void clear();
    // Retranslates the header and the state texts.
    void retranslate();

    QModelIndex indexOf(quint32 process, int column = 0) const;
    const mp::scope::ProcessInfo* process(const QModelIndex& index) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Node;
    Node* nodeOf(const QModelIndex& index) const;
    QModelIndex indexOfNode(const Node* node, int column = 0) const;
    void removeNode(Node* node);
    void insertNode(const mp::scope::ProcessInfo& info);

    std::unique_ptr<Node> root_;
    std::unordered_map<quint32, Node*> byId_;
    FramePtr frame_; // names for "blocked on", the deadlocked set
    std::vector<quint32> deadlocked_;
};

} // namespace mpui
