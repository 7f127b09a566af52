package dev.signagefleet.benchmarks.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Linux says about a process at one moment (/proc/PID/status and /proc/PID/stat): resident
 * memory, threads and CPU time so far.
 *
 * @param rssKb      VmRSS, kB
 * @param peakRssKb  VmHWM, kB
 * @param threads    threads of the process
 * @param cpuTicks   user + system time in clock ticks (USER_HZ, 100 per second on Linux)
 */
record ProcessSample(long nanoTime, long rssKb, long peakRssKb, int threads, long cpuTicks) {

    /** USER_HZ: the unit of utime/stime in /proc/PID/stat; 100 on every Linux this runs on. */
    static final int TICKS_PER_SECOND = 100;

    static ProcessSample of(long pid) throws IOException {
        long now = System.nanoTime();
        long rss = 0;
        long hwm = 0;
        int threads = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = kb(line);
            } else if (line.startsWith("VmHWM:")) {
                hwm = kb(line);
            } else if (line.startsWith("Threads:")) {
                threads = Integer.parseInt(line.substring(8).trim());
            }
        }
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // the command name (field 2) may contain spaces: fields are counted after its closing parenthesis
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime (14) and stime (15)
        return new ProcessSample(now, rss, hwm, threads, ticks);
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    /** CPU used between two samples, as a percentage of one core. */
    static double cpuPercent(ProcessSample from, ProcessSample to) {
        double cpuSeconds = (to.cpuTicks - from.cpuTicks) / (double) TICKS_PER_SECOND;
        double wallSeconds = (to.nanoTime - from.nanoTime) / 1e9;
        return 100 * cpuSeconds / wallSeconds;
    }
}
