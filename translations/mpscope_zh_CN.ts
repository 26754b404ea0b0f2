<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Words</name>
    <message>
        <source>process #%1</source>
        <translation>进程 #%1</translation>
    </message>
    <message>
        <source>object #%1</source>
        <translation>对象 #%1</translation>
    </message>
    <message>
        <source>struct (%1)</source>
        <translation>结构体（%1）</translation>
    </message>
    <message>
        <source>set</source>
        <translation>已置位</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>未置位</translation>
    </message>
    <message>
        <source>target: %1</source>
        <translation>目标：%1</translation>
    </message>
    <message>
        <source>deadlocked</source>
        <translation>已死锁</translation>
    </message>
    <message>
        <source>joins %1</source>
        <translation>等待 %1 结束（join）</translation>
    </message>
    <message>
        <source>holds %1</source>
        <translation>持有 %1</translation>
    </message>
    <message>
        <source>%1 (pid %2)</source>
        <translation>%1（pid %2）</translation>
    </message>
    <message>
        <source> and </source>
        <comment>between the last two things one process does</comment>
        <translation>，并</translation>
    </message>
    <message>
        <source>, </source>
        <comment>between things one process does</comment>
        <translation>，</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <comment>a process and what it does</comment>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>, which %2</source>
        <comment>%1 is the process, which English leaves out</comment>
        <translation>；%1 %2</translation>
    </message>
    <message>
        <source>, held by %1</source>
        <translation>（由 %1 持有）</translation>
    </message>
    <message>
        <source>.</source>
        <comment>end of a sentence</comment>
        <translation>。</translation>
    </message>
    <message>
        <source>; </source>
        <comment>between clauses</comment>
        <translation>；</translation>
    </message>
    <message>
        <source>process #%1 (gone)</source>
        <translation>进程 #%1（已不存在）</translation>
    </message>
    <message>
        <source>%1 (pid %2, %3)</source>
        <translation>%1（pid %2，%3）</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>启动中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>blocked</source>
        <translation>阻塞</translation>
    </message>
    <message>
        <source>parked</source>
        <translation>单步暂停</translation>
    </message>
    <message>
        <source>exited</source>
        <translation>已退出</translation>
    </message>
    <message>
        <source>died</source>
        <translation>已死亡</translation>
    </message>
    <message>
        <source>killed</source>
        <translation>被杀死</translation>
    </message>
    <message>
        <source>killed by %1</source>
        <translation>被 %1 终止</translation>
    </message>
    <message>
        <source>vanished</source>
        <translation>已消失</translation>
    </message>
    <message>
        <source>join %1</source>
        <translation>join %1</translation>
    </message>
    <message>
        <source>parked before %1</source>
        <translation>暂停在 %1 之前</translation>
    </message>
    <message>
        <source>%1 (+%2 threads)</source>
        <translation>%1（另有 %2 个线程）</translation>
    </message>
    <message>
        <source>waits for %1</source>
        <translation>等待 %1</translation>
    </message>
    <message>
        <source>waits to acquire %1</source>
        <translation>等待获取 %1</translation>
    </message>
    <message>
        <source>waits on condition %1</source>
        <translation>在条件变量 %1 上等待</translation>
    </message>
    <message>
        <source>waits for event %1</source>
        <translation>等待事件 %1</translation>
    </message>
    <message>
        <source>waits at barrier %1</source>
        <translation>在屏障 %1 处等待</translation>
    </message>
    <message>
        <source>waits to get from %1</source>
        <translation>等待从 %1 取数据</translation>
    </message>
    <message>
        <source>waits to put on %1</source>
        <translation>等待向 %1 放数据</translation>
    </message>
    <message>
        <source>waits for its feeder to flush %1</source>
        <translation>等待其 feeder 线程把数据写入 %1</translation>
    </message>
    <message>
        <source>waits for the tasks of %1 to be done</source>
        <translation>等待 %1 的任务全部完成</translation>
    </message>
    <message>
        <source>waits in %1 on %2</source>
        <translation>在 %2 上的 %1 中等待</translation>
    </message>
    <message>
        <source>%1 (%2, held by %3)</source>
        <translation>%1（%2，由 %3 持有）</translation>
    </message>
    <message>
        <source>%1 (%2, free)</source>
        <translation>%1（%2，空闲）</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>%1 for %2</source>
        <translation>%1，已持续 %2</translation>
    </message>
    <message>
        <source>%1, timeout in %2</source>
        <translation>%1，%2后超时</translation>
    </message>
    <message>
        <source>is starting</source>
        <translation>正在启动</translation>
    </message>
    <message>
        <source>is running</source>
        <translation>仍在运行</translation>
    </message>
    <message>
        <source>exited with code %1</source>
        <translation>已退出，退出码为 %1</translation>
    </message>
    <message>
        <source>was killed by signal %1 (%2)</source>
        <translation>已被信号 %1（%2）终止</translation>
    </message>
    <message>
        <source>was killed by signal %1</source>
        <translation>已被信号 %1 终止</translation>
    </message>
    <message>
        <source>vanished without a recorded exit</source>
        <translation>已消失，没有留下退出记录</translation>
    </message>
    <message>
        <source>held by %1</source>
        <translation>由 %1 持有</translation>
    </message>
    <message>
        <source>%1 (thread %2)</source>
        <translation>%1（线程 %2）</translation>
    </message>
    <message>
        <source>%1, depth %2</source>
        <translation>%1，重入深度 %2</translation>
    </message>
    <message>
        <source>free</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>value %1 of %2</source>
        <translation>值 %1，上限 %2</translation>
    </message>
    <message>
        <source>value %1</source>
        <translation>值 %1</translation>
    </message>
    <message>
        <source>%1 and others</source>
        <translation>%1 等</translation>
    </message>
    <message>
        <source>units held by %1</source>
        <translation>%1 持有计数</translation>
    </message>
    <message>
        <source>lock %1</source>
        <translation>锁 %1</translation>
    </message>
    <message>
        <source>%1 sleeping</source>
        <translation>%1 个在休眠</translation>
    </message>
    <message>
        <source>%1 of %2 parties waiting</source>
        <translation>%2 方中已有 %1 方在等待</translation>
    </message>
    <message>
        <source>draining</source>
        <translation>正在放行</translation>
    </message>
    <message>
        <source>resetting</source>
        <translation>正在重置</translation>
    </message>
    <message>
        <source>broken</source>
        <translation>已破损</translation>
    </message>
    <message>
        <source>%1, %2 parties</source>
        <translation>%1，共 %2 方</translation>
    </message>
    <message>
        <source>generation %1</source>
        <translation>第 %1 轮</translation>
    </message>
    <message>
        <source>no lock</source>
        <translation>无锁</translation>
    </message>
    <message>
        <source>%1, %2 of %3</source>
        <translation>%1，已用 %2 / 共 %3</translation>
    </message>
    <message>
        <source>%1 item</source>
        <translation>%1 项</translation>
    </message>
    <message>
        <source>%1 items</source>
        <translation>%1 项</translation>
    </message>
    <message>
        <source>maxsize %1</source>
        <translation>最多 %1 项</translation>
    </message>
    <message>
        <source>%1 unfinished task</source>
        <translation>%1 个未完成任务</translation>
    </message>
    <message>
        <source>%1 unfinished tasks</source>
        <translation>%1 个未完成任务</translation>
    </message>
    <message>
        <source>%1: %2 (%3)</source>
        <translation>%1：%2（%3）</translation>
    </message>
    <message>
        <source>%1, waiting for room</source>
        <translation>%1，正在等待空位</translation>
    </message>
    <message>
        <source>feeder backlog: %1</source>
        <translation>feeder 积压：%1</translation>
    </message>
    <message>
        <source>%1 waiter</source>
        <translation>%1 个等待者</translation>
    </message>
    <message>
        <source>%1 waiters</source>
        <translation>%1 个等待者</translation>
    </message>
    <message>
        <source>recovered from %1 (pid %2), which died holding it</source>
        <translation>已从 %1（pid %2）收回：它在持有时死亡</translation>
    </message>
    <message>
        <source>held, depth %1</source>
        <translation>已持有，深度 %1</translation>
    </message>
    <message>
        <source>held</source>
        <translation>已持有</translation>
    </message>
    <message>
        <source>Lock cycle</source>
        <translation>锁环</translation>
    </message>
    <message>
        <source>Lock held by a dead process</source>
        <translation>锁被已死亡的进程持有</translation>
    </message>
    <message>
        <source>Join of a stuck process</source>
        <translation>等待卡住的进程结束</translation>
    </message>
    <message>
        <source>Lock held by a stuck process</source>
        <translation>锁被卡住的进程持有</translation>
    </message>
    <message>
        <source>Unsatisfiable wait</source>
        <translation>永远无法满足的等待</translation>
    </message>
    <message>
        <source>Join before draining a queue</source>
        <translation>取空队列之前就等待进程结束</translation>
    </message>
    <message>
        <source>Lock recovered from a dead holder</source>
        <translation>从已死亡的持有者处收回的锁</translation>
    </message>
    <message>
        <source>Queue cycle</source>
        <translation>队列环</translation>
    </message>
    <message>
        <source>%1 %2, which it already holds (a %3 is not re-entrant).</source>
        <translation>%1 %2，但它自己已经持有这把锁（%3 不可重入）。</translation>
    </message>
    <message>
        <source>%1 waits for %2</source>
        <translation>%1 在等待 %2</translation>
    </message>
    <message>
        <source>%1 wait for %2</source>
        <translation>%1 在等待 %2</translation>
    </message>
    <message>
        <source>, whose holder is gone.</source>
        <translation>，而它的持有者已不存在。</translation>
    </message>
    <message>
        <source>, held by %1, which %2.</source>
        <translation>，它由 %1 持有，而该进程%2。</translation>
    </message>
    <message>
        <source>%1 (%2) can never be satisfied: %3 waits on it, and nobody else uses it.</source>
        <translation>%1（%2）永远无法满足：%3 在等待它，而没有别的进程使用它。</translation>
    </message>
    <message>
        <source>%1 (%2) can never be satisfied: %3 wait on it, and nobody else uses it.</source>
        <translation>%1（%2）永远无法满足：%3 在等待它，而没有别的进程使用它。</translation>
    </message>
    <message>
        <source>%1 (%2) can never be satisfied: %3 waits on it, and every other process that could help is blocked or gone: %4.</source>
        <translation>%1（%2）永远无法满足：%3 在等待它，而其他所有能帮上忙的进程都已阻塞或结束：%4。</translation>
    </message>
    <message>
        <source>%1 (%2) can never be satisfied: %3 wait on it, and every other process that could help is blocked or gone: %4.</source>
        <translation>%1（%2）永远无法满足：%3 在等待它，而其他所有能帮上忙的进程都已阻塞或结束：%4。</translation>
    </message>
    <message>
        <source>%1 died holding %2; the next acquirer recovered it</source>
        <translation>%1 在持有 %2 时死亡；下一个获取者收回了它</translation>
    </message>
    <message>
        <source>, and it is now held by %1</source>
        <translation>，现在由 %1 持有</translation>
    </message>
    <message>
        <source> and </source>
        <comment>before the last name of a list</comment>
        <translation> 和 </translation>
    </message>
    <message>
        <source>, </source>
        <comment>between names of a list</comment>
        <translation>、</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>which only %1 puts on</source>
        <translation>只有 %1 会向 %2 放数据</translation>
    </message>
    <message>
        <source>which only %1 put on</source>
        <translation>只有 %1 会向 %2 放数据</translation>
    </message>
    <message>
        <source>which only %1 reads</source>
        <translation>只有 %1 会读取 %2</translation>
    </message>
    <message>
        <source>which only %1 read</source>
        <translation>只有 %1 会读取 %2</translation>
    </message>
    <message>
        <source>waits for its feeder to flush %1 bytes into %2</source>
        <translation>等待其 feeder 线程把 %1 字节写入 %2</translation>
    </message>
    <message>
        <source>cannot exit until its feeder flushes %1 bytes into %2</source>
        <translation>要等它的 feeder 线程把 %1 字节写入 %2 后才能退出</translation>
    </message>
    <message>
        <source>cannot exit until its feeder flushes what it put into %1</source>
        <translation>要等它的 feeder 线程把放入的数据全部写入 %1 后才能退出</translation>
    </message>
    <message>
        <source>%1 joins %2, which %3, %4</source>
        <comment>%4: who alone reads the queue</comment>
        <translation>%1 等待 %2 结束（join），但 %2 %3，而%4</translation>
    </message>
    <message>
        <source>%1 %2, %3</source>
        <comment>a process, its wait on a queue, and who alone could end it</comment>
        <translation>%1 %2，而%3</translation>
    </message>
    <message>
        <source>%1, %2 of %3 workers working</source>
        <translation>%1，%3 个工作进程中有 %2 个在工作</translation>
    </message>
    <message>
        <source>%1 task queued</source>
        <translation>排队任务 %1 个</translation>
    </message>
    <message>
        <source>%1 tasks queued</source>
        <translation>排队任务 %1 个</translation>
    </message>
    <message>
        <source>%1 completed</source>
        <translation>已完成 %1 个</translation>
    </message>
    <message>
        <source>%1 lost with their worker</source>
        <translation>%1 个随工作进程一起丢失</translation>
    </message>
    <message>
        <source>%1 worker replaced</source>
        <translation>已替换 %1 个工作进程</translation>
    </message>
    <message>
        <source>%1 workers replaced</source>
        <translation>已替换 %1 个工作进程</translation>
    </message>
    <message>
        <source>%1 of %2 working</source>
        <translation>%2 个中 %1 个在工作</translation>
    </message>
</context>
<context>
    <name>mpui::ChartsView</name>
    <message>
        <source>locks</source>
        <translation>锁</translation>
    </message>
    <message>
        <source>semaphores</source>
        <translation>信号量</translation>
    </message>
    <message>
        <source>queues</source>
        <translation>队列</translation>
    </message>
    <message>
        <source>shared memory</source>
        <translation>共享内存</translation>
    </message>
    <message>
        <source>events, conditions, barriers</source>
        <translation>事件、条件变量、屏障</translation>
    </message>
    <message>
        <source>Queue depth (items)</source>
        <translation>队列深度（项）</translation>
    </message>
    <message>
        <source>Semaphore values</source>
        <translation>信号量的值</translation>
    </message>
    <message>
        <source>Operations per second</source>
        <translation>每秒操作数</translation>
    </message>
    <message>
        <source>seconds since the session started</source>
        <translation>会话开始后的秒数</translation>
    </message>
</context>
<context>
    <name>mpui::EventModel</name>
    <message>
        <source>Time (s)</source>
        <translation>时间（秒）</translation>
    </message>
    <message>
        <source>Process</source>
        <translation>进程</translation>
    </message>
    <message>
        <source>Object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Operation</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Argument</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Thread</source>
        <translation>线程</translation>
    </message>
</context>
<context>
    <name>mpui::EventView</name>
    <message>
        <source>All operations</source>
        <translation>全部操作</translation>
    </message>
    <message>
        <source>All processes</source>
        <translation>全部进程</translation>
    </message>
    <message>
        <source>All objects</source>
        <translation>全部对象</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Events shown, of those kept (the newest %1)</source>
        <translation>显示的事件数 / 保留的事件数（保留最新的 %1 条）</translation>
    </message>
    <message>
        <source>Search…</source>
        <translation>搜索…</translation>
    </message>
    <message>
        <source>Show only events whose process, object or operation contains this text</source>
        <translation>只显示进程、对象或操作中包含这段文字的事件</translation>
    </message>
    <message>
        <source>Follow selection</source>
        <translation>跟随选择</translation>
    </message>
    <message>
        <source>Show only the events of the process or object selected in any view</source>
        <translation>只显示在任一视图中选中的进程或对象的事件</translation>
    </message>
</context>
<context>
    <name>mpui::GraphView</name>
    <message>
        <source>process</source>
        <translation>进程</translation>
    </message>
    <message>
        <source>object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>waits for</source>
        <translation>等待</translation>
    </message>
    <message>
        <source>held by</source>
        <translation>被持有</translation>
    </message>
    <message>
        <source>joins</source>
        <translation>等待结束（join）</translation>
    </message>
    <message>
        <source>deadlocked</source>
        <translation>死锁</translation>
    </message>
    <message>
        <source>pid %1 · %2</source>
        <translation>pid %1 · %2</translation>
    </message>
    <message>
        <source>Deadlock — %1:</source>
        <translation>死锁 — %1：</translation>
    </message>
    <message>
        <source>… and %1 more.</source>
        <translation>……另外还有 %1 处。</translation>
    </message>
    <message>
        <source>Note — %1:</source>
        <translation>提示 — %1：</translation>
    </message>
    <message>
        <source>The session has ended.</source>
        <translation>会话已结束。</translation>
    </message>
    <message>
        <source>No session yet. Choose a scenario and press Run, or attach to a running program (Session ▸ Attach).</source>
        <translation>还没有会话。请选择一个场景并点击“运行”，或附加到一个正在运行的程序（会话 ▸ 附加到会话）。</translation>
    </message>
</context>
<context>
    <name>mpui::HeatMapCanvas</name>
    <message>
        <source>all %1</source>
        <translation>全部为 %1</translation>
    </message>
    <message>
        <source>from %1 to %2</source>
        <translation>从 %1 到 %2</translation>
    </message>
    <message>
        <source>%1 — written by %2 %3 ago</source>
        <translation>%1 — 由 %2 在 %3前写入</translation>
    </message>
    <message>
        <source>No shared Value or Array in this session yet. Their cells appear here, coloured by value, with recent writes outlined in the writer&apos;s colour.</source>
        <translation>本会话中还没有共享的 Value 或 Array。它们的每个单元会显示在这里，按数值着色，最近的写入用写入进程的颜色描边。</translation>
    </message>
    <message>
        <source>written by:</source>
        <translation>写入者：</translation>
    </message>
</context>
<context>
    <name>mpui::LessonView</name>
    <message>
        <source>Choose a scenario in the toolbar to read what it shows and what to watch for.</source>
        <translation>在工具栏中选择一个场景，就能在这里读到它演示什么、该观察什么。</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
</context>
<context>
    <name>mpui::MainWindow</name>
    <message>
        <source>Attached to session %1.</source>
        <translation>已附加到会话 %1。</translation>
    </message>
    <message>
        <source>Cannot attach: %1</source>
        <translation>无法附加：%1</translation>
    </message>
    <message>
        <source>Cannot read the scenario catalogue from %1: %2</source>
        <translation>无法从 %1 读取场景目录：%2</translation>
    </message>
    <message>
        <source>mpscope-run crashed.</source>
        <translation>mpscope-run 崩溃了。</translation>
    </message>
    <message>
        <source>mpscope-run ended with status %1.</source>
        <translation>mpscope-run 已结束，状态码为 %1。</translation>
    </message>
    <message>
        <source>Cannot start %1: %2</source>
        <translation>无法启动 %1：%2</translation>
    </message>
    <message>
        <source>No session</source>
        <translation>无会话</translation>
    </message>
    <message>
        <source>Session %1 (ended)</source>
        <translation>会话 %1（已结束）</translation>
    </message>
    <message>
        <source>Session %1</source>
        <translation>会话 %1</translation>
    </message>
    <message>
        <source>Processes: %1 (%2 live)</source>
        <translation>进程：%1（%2 个存活）</translation>
    </message>
    <message>
        <source>Objects: %1</source>
        <translation>对象：%1</translation>
    </message>
    <message>
        <source>Events/s: %1</source>
        <translation>事件/秒：%1</translation>
    </message>
    <message>
        <source>Dropped events: %1</source>
        <translation>丢失事件：%1</translation>
    </message>
    <message>
        <source>Refresh: %1 Hz, %2 ms</source>
        <translation>刷新：%1 Hz，%2 毫秒</translation>
    </message>
    <message>
        <source>Frames shown per second, and the time the last one took on the GUI thread</source>
        <translation>每秒显示的帧数，以及最近一帧在 GUI 线程上花费的时间</translation>
    </message>
    <message>
        <source>Terminate (SIGTERM)</source>
        <translation>终止（SIGTERM）</translation>
    </message>
    <message>
        <source>Kill (SIGKILL)</source>
        <translation>强制杀死（SIGKILL）</translation>
    </message>
    <message>
        <source>Let it take one step</source>
        <translation>放行一步</translation>
    </message>
    <message>
        <source>Show its events</source>
        <translation>查看它的事件</translation>
    </message>
    <message>
        <source>Cannot signal %1 (pid %2): %3</source>
        <translation>无法向 %1（pid %2）发送信号：%3</translation>
    </message>
    <message>
        <source>Sent SIGKILL to %1 (pid %2).</source>
        <translation>已向 %1（pid %2）发送 SIGKILL。</translation>
    </message>
    <message>
        <source>Sent SIGTERM to %1 (pid %2).</source>
        <translation>已向 %1（pid %2）发送 SIGTERM。</translation>
    </message>
    <message>
        <source>Attach to a session</source>
        <translation>附加到会话</translation>
    </message>
    <message>
        <source>Session name (mpscope-&lt;pid&gt;-&lt;random&gt;) or the pid of one of its processes; the Sessions pane lists the ones running:</source>
        <translation>会话名（mpscope-&lt;pid&gt;-&lt;random&gt;），或其中任一进程的 pid；“会话”面板列出了正在运行的会话：</translation>
    </message>
    <message>
        <source>Save a screenshot</source>
        <translation>保存截图</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>Cannot write %1</source>
        <translation>无法写入 %1</translation>
    </message>
    <message>
        <source>About mpscope</source>
        <translation>关于 mpscope</translation>
    </message>
    <message>
        <source>&lt;h3&gt;mpscope&lt;/h3&gt;&lt;p&gt;An inspector and playground for multi-process programs written with libmpcore, a C++ model of Python&apos;s multiprocessing.&lt;/p&gt;&lt;p&gt;Run a scenario or attach to any running program, and watch its processes, locks, queues and shared memory live, with deadlocks found and explained.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;mpscope&lt;/h3&gt;&lt;p&gt;一个观察和练习多进程程序的工具。这些程序用 libmpcore 编写，它是 Python multiprocessing 在 C++ 中的模型。&lt;/p&gt;&lt;p&gt;运行一个场景，或附加到任何正在运行的程序，实时观察它的进程、锁、队列和共享内存；一旦出现死锁，会立即找出并解释。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>会话(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Attach to a Session…</source>
        <translation>附加到会话(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Detach</source>
        <translation>断开(&amp;D)</translation>
    </message>
    <message>
        <source>Save a Screens&amp;hot…</source>
        <translation>保存截图(&amp;H)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Fit Graph</source>
        <translation>让图适应窗口(&amp;F)</translation>
    </message>
    <message>
        <source>Show &amp;Idle Objects in the Graph</source>
        <translation>在图中显示空闲对象(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About mpscope</source>
        <translation>关于 mpscope(&amp;A)</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>进程</translation>
    </message>
    <message>
        <source>Objects</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Lesson</source>
        <translation>讲解</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>Console</source>
        <translation>控制台</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Charts</source>
        <translation>图表</translation>
    </message>
    <message>
        <source>Shared Memory</source>
        <translation>共享内存</translation>
    </message>
    <message>
        <source>Pool</source>
        <translation>进程池</translation>
    </message>
</context>
<context>
    <name>mpui::ObjectModel</name>
    <message>
        <source>Object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>占用</translation>
    </message>
    <message>
        <source>Waiters</source>
        <translation>等待者</translation>
    </message>
    <message>
        <source>Created by</source>
        <translation>创建者</translation>
    </message>
    <message>
        <source>Operations</source>
        <translation>操作数</translation>
    </message>
</context>
<context>
    <name>mpui::ObjectView</name>
    <message>
        <source>Filter by name or kind…</source>
        <translation>按名称或类型筛选…</translation>
    </message>
</context>
<context>
    <name>mpui::PoolModel</name>
    <message>
        <source>start-up %1, waiting %2, working %3</source>
        <translation>启动 %1，等待 %2，工作 %3</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>启动中</translation>
    </message>
    <message>
        <source>waiting for a task</source>
        <translation>等待任务</translation>
    </message>
    <message>
        <source>working</source>
        <translation>工作中</translation>
    </message>
    <message>
        <source>exited</source>
        <translation>已退出</translation>
    </message>
    <message>
        <source>empty</source>
        <translation>空位</translation>
    </message>
    <message>
        <source>%1 worker</source>
        <translation>%1 个工作进程</translation>
    </message>
    <message>
        <source>%1 workers</source>
        <translation>%1 个工作进程</translation>
    </message>
    <message>
        <source>%1: %2, %3, %4 queued, %5 completed, %6 lost, %7 outstanding</source>
        <translation>%1：%2，%3，排队任务 %4 个，已完成 %5 个，丢失 %6 个，未就绪结果 %7 个</translation>
    </message>
    <message>
        <source>Replaces a worker that %1.</source>
        <translation>它接替的工作进程%1。</translation>
    </message>
    <message>
        <source>Pool</source>
        <translation>进程池</translation>
    </message>
    <message>
        <source>Worker</source>
        <translation>工作进程</translation>
    </message>
    <message>
        <source>PID</source>
        <translation>PID</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Tasks done</source>
        <translation>已完成任务</translation>
    </message>
    <message>
        <source>Current task</source>
        <translation>当前任务</translation>
    </message>
    <message>
        <source>#%1 (replaced %2×)</source>
        <translation>#%1（已替换 %2 次）</translation>
    </message>
    <message>
        <source>%1: job %2, chunk %3</source>
        <translation>%1：作业 %2，第 %3 块</translation>
    </message>
    <message>
        <source>Time spent</source>
        <translation>耗时</translation>
    </message>
</context>
<context>
    <name>mpui::PoolView</name>
    <message>
        <source>No process Pool in this session.</source>
        <translation>此会话中没有进程池（Pool）。</translation>
    </message>
    <message>
        <source>Bars: start-up (blue), waiting for a task (yellow), working (green), all on one time scale</source>
        <translation>条形：启动（蓝色）、等待任务（黄色）、工作（绿色），全部使用同一时间刻度</translation>
    </message>
</context>
<context>
    <name>mpui::ProcessModel</name>
    <message>
        <source>Process</source>
        <translation>进程</translation>
    </message>
    <message>
        <source>PID</source>
        <translation>PID</translation>
    </message>
    <message>
        <source>Start method</source>
        <translation>启动方式</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Blocked on</source>
        <translation>阻塞于</translation>
    </message>
    <message>
        <source>Exit code</source>
        <translation>退出码</translation>
    </message>
    <message>
        <source>CPU time</source>
        <translation>CPU 时间</translation>
    </message>
</context>
<context>
    <name>mpui::RunToolbar</name>
    <message>
        <source>Scenario:</source>
        <translation>场景：</translation>
    </message>
    <message>
        <source>Start method:</source>
        <translation>启动方式：</translation>
    </message>
    <message>
        <source>Tempo:</source>
        <translation>速度：</translation>
    </message>
    <message>
        <source>How fast the scenario&apos;s pauses go: 0.25 is four times slower, 4 four times faster</source>
        <translation>场景中停顿的快慢：0.25 表示慢四倍，4 表示快四倍</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Run the scenario in mpscope-run and watch it (Ctrl+R)</source>
        <translation>在 mpscope-run 中运行该场景并观察它（Ctrl+R）</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>End the run and every process of it (Ctrl+.)</source>
        <translation>结束这次运行及其所有进程（Ctrl+.）</translation>
    </message>
    <message>
        <source>Step mode</source>
        <translation>单步模式</translation>
    </message>
    <message>
        <source>Hold every process before each operation; let them go one at a time from the process menu</source>
        <translation>让每个进程在每次操作前暂停；可在进程菜单中逐个放行</translation>
    </message>
    <message>
        <source>The program to run: its lesson is in the Lesson pane</source>
        <translation>要运行的程序：它的讲解在“讲解”面板中</translation>
    </message>
    <message>
        <source>How child processes start: fork, spawn or forkserver</source>
        <translation>子进程的启动方式：fork、spawn 或 forkserver</translation>
    </message>
</context>
<context>
    <name>mpui::SessionListModel</name>
    <message>
        <source>%1 live of %2</source>
        <translation>%2 个中 %1 个存活</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>Session %1, created by pid %2</source>
        <translation>会话 %1，由 pid %2 创建</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>Main process</source>
        <translation>主进程</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>进程</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>已运行</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
</context>
<context>
    <name>mpui::SessionsView</name>
    <message>
        <source>Show ended sessions</source>
        <translation>显示已结束的会话</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>附加</translation>
    </message>
    <message>
        <source>Show the selected session in the inspector</source>
        <translation>在观察器中显示选中的会话</translation>
    </message>
</context>
</TS>
