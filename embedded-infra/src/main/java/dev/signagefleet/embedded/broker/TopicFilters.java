package dev.signagefleet.embedded.broker;

/** MQTT topic filter matching ({@code +} one level, {@code #} the rest). */
public final class TopicFilters {

    private TopicFilters() {
    }

    /** Does {@code filter} match the concrete {@code topic}? */
    public static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length) {
                return false;
            }
            if (!f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /** Is every topic that {@code requested} can match also matched by {@code allowed}? */
    public static boolean covers(String allowed, String requested) {
        String[] a = allowed.split("/", -1);
        String[] r = requested.split("/", -1);
        for (int i = 0; i < a.length; i++) {
            if (a[i].equals("#")) {
                return true;
            }
            if (i >= r.length) {
                return false;
            }
            if (r[i].equals("#")) {
                return false;
            }
            if (a[i].equals("+")) {
                continue;
            }
            if (r[i].equals("+") || !a[i].equals(r[i])) {
                return false;
            }
        }
        return a.length == r.length;
    }
}
