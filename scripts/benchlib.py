#!/usr/bin/env python3
"""Helpers for scripts/bench.sh: deterministic input generators and a process timer.

    benchlib.py measure RUNS CMD...          run CMD RUNS times (stdout to /dev/null); print
                                             "median_wall_s median_cpu_s max_rss_mib min_cpu_s"
                                             (RSS from as many runs under /usr/bin/time)
    benchlib.py gen-log MIB OUT              a pasted describe, `$ kubectl logs`, then a container log of
                                             MIB MiB (access lines, JSON lines, stack traces, a bind
                                             failure and a DNS error sprinkled in)
    benchlib.py gen-chinese MIB OUT          the same shape in Chinese (non-ASCII on every line)
    benchlib.py log-patterns OUT             every `log: text:` regex of rules/*.yaml, one per line
                                             (what `rg -f` gets for the ripgrep comparison)
    benchlib.py ratio A B                    A / B with two decimals

Standard library only, except log-patterns, which needs PyYAML. Every generator is seeded, so the
same arguments always write the same bytes.
"""
import os
import re
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(runs, cmd):
    """Wall and CPU time from direct runs (rusage of the child); max RSS from as many runs under
    GNU time (`/usr/bin/time -f %M`). A child's ru_maxrss also counts the memory of the process it
    was exec'd from, so taken directly it could never read below this Python's own ~14 MiB; GNU
    time forks the command from a small process."""
    walls, cpus, rss = [], [], 0
    gnu_time = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
    for _ in range(runs):
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        walls.append(time.perf_counter() - start)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):  # 1: a finding at or above --fail-on (or rg: no match)
            sys.exit(f"benchlib: {cmd[0]} exited with {code}")
        cpus.append(ru.ru_utime + ru.ru_stime)
        if gnu_time is None:
            rss = max(rss, ru.ru_maxrss)  # KiB on Linux
            continue
        r = subprocess.run([gnu_time, "-f", "%M", "--", *cmd], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        last = r.stderr.strip().splitlines()[-1:] or ["0"]
        rss = max(rss, int(last[0]) if last[0].isdigit() else 0)
    print(f"{statistics.median(walls):.4f} {statistics.median(cpus):.4f} "
          f"{rss / 1024:.1f} {min(cpus):.4f}")


class Rng:
    """xorshift64: the same sequence on every machine and Python version."""

    def __init__(self, seed=0x9E3779B97F4A7C15):
        self.s = seed

    def next(self):
        s = self.s
        s ^= (s << 13) & 0xFFFFFFFFFFFFFFFF
        s ^= s >> 7
        s ^= (s << 17) & 0xFFFFFFFFFFFFFFFF
        self.s = s
        return s


def ascii_line(i, r):
    k = i % 10
    if k <= 5:
        return (f'10.0.{r % 255}.{(r >> 8) % 255} - - [03/Apr/2024:07:52:{i % 60:02} +0000] '
                f'"GET /api/v1/orders/{r % 100000} HTTP/1.1" 200 {512 + r % 4096} "-" "kube-probe/1.28"\n')
    if k <= 7:
        return (f'{{"ts":"2024-04-03T07:52:{i % 60:02}.{r % 1000:03}Z","level":"info",'
                f'"msg":"order processed","order_id":{r % 1000000},"latency_ms":{r % 250}}}\n')
    if k == 8:
        return "\tat com.example.orders.OrderService.process(OrderService.java:142)\n"
    if i % 100_000 == 9:
        return "2024/04/03 07:52:42 [emerg] 24#24: bind() to 0.0.0.0:80 failed (98: Address in use)\n"
    if i % 250_000 == 19:
        return ("Caused by: java.net.UnknownHostException: orders-db.prod.svc.cluster.local: "
                "Temporary failure in name resolution\n")
    return (f"2024-04-03 07:52:{i % 60:02} WARN  [pool-{r % 8}-thread-{r % 32}] "
            f"slow query took {r % 5000} ms\n")


def chinese_line(i, r):
    k = i % 10
    if k <= 4:
        return (f"2024-04-03 07:52:{i % 60:02} 信息 [订单服务-{r % 8}] 处理订单 {r % 1000000} 完成，"
                f"耗时 {r % 250} 毫秒，用户「张{r % 100}」\n")
    if k <= 6:
        return (f'{{"时间":"2024-04-03T07:52:{i % 60:02}Z","级别":"信息","消息":"库存同步成功",'
                f'"仓库":"华东{r % 9}号","数量":{r % 5000}}}\n')
    if k == 7:
        return f"2024-04-03 07:52:{i % 60:02} 警告 数据库连接池繁忙，等待 {r % 500} 毫秒后重试（第 {r % 5} 次）\n"
    if k == 8:
        return "\tat com.example.订单.订单服务.处理(订单服务.java:142)\n"
    if i % 100_000 == 9:
        return "2024/04/03 07:52:42 [emerg] 24#24: bind() to 0.0.0.0:80 failed (98: Address in use)\n"
    return f"2024-04-03 07:52:{i % 60:02} 错误 调用支付网关失败：连接被对端重置，错误码 {r % 900 + 100}\n"


def generate(mib, out, line):
    """Writes a unique 8 MiB block (or less), then repeats it up to `mib` MiB: generating in
    Python is slow, and a log repeats itself anyway."""
    target = int(mib * 1024 * 1024)
    rng = Rng()
    block, size, i = [], 0, 0
    while size < min(target, 8 * 1024 * 1024):
        s = line(i, rng.next())
        block.append(s)
        size += len(s.encode())
        i += 1
    data = "".join(block).encode()
    with open(out, "wb") as f:
        # A pasted `kubectl describe pod` and the `kubectl logs` command line, then the log: what a
        # user pastes, and what makes the lines a container's log rather than free text.
        with open(os.path.join(ROOT, "testdata", "examples", "crashloop-port-conflict.txt"), "rb") as h:
            head = h.read()
        # The example ends with `$ kubectl logs ...` and its first lines: the log goes on from there.
        f.write(head if head.endswith(b"\n") else head + b"\n")
        written = 0
        while written < target:
            chunk = data[: target - written]
            f.write(chunk)
            written += len(chunk)


def log_patterns(out):
    import glob

    import yaml

    pats = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "log" and isinstance(v, dict) and isinstance(v.get("text"), str):
                    pats.append(v["text"])
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in sorted(glob.glob(os.path.join(ROOT, "rules", "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            walk(yaml.safe_load(f).get("match"))
    # rg joins the patterns into one alternation, where two groups of the same name are an error:
    # named groups become non-capturing (the same language).
    pats = [re.sub(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>", "(?:", p) for p in pats]
    seen = []
    for p in pats:
        if p not in seen:
            seen.append(p)
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(seen) + "\n")
    print(len(seen))


def evict(paths):
    """Drops files from the page cache (written back first; POSIX_FADV_DONTNEED needs no
    privilege). A binary's start-up RSS is mostly its own pages, and how many of them a run maps
    depends on how the page cache holds the file: the same bytes measured 17.0-20.4 MiB just after
    `cp`, `cat` or the linker wrote them. Evicted and then read back by one run, as after a reboot
    or an install, the figure is stable to ~0.5 MiB."""
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "measure":
        measure(int(args[0]), args[1:])
    elif cmd == "evict":
        evict(args)
    elif cmd == "gen-log":
        generate(float(args[0]), args[1], ascii_line)
    elif cmd == "gen-chinese":
        generate(float(args[0]), args[1], chinese_line)
    elif cmd == "log-patterns":
        log_patterns(args[0])
    elif cmd == "ratio":
        print(f"{float(args[0]) / max(float(args[1]), 1e-9):.2f}")
    else:
        sys.exit(f"benchlib: unknown command {cmd}")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
