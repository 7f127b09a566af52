package dev.signagefleet.aws.setup;

/**
 * One thing setup, add-device or teardown did (or found) to one resource, printed as it happens.
 *
 * @param resource e.g. {@code sqs queue}, {@code iot policy}
 * @param detail   what changed, or empty
 */
public record Step(Outcome outcome, String resource, String name, String detail) {

    /** What happened to the resource. */
    public enum Outcome {
        /** It was there as wanted: nothing changed. */
        EXISTS,
        CREATED,
        /** It was there but differed, and was brought in line. */
        UPDATED,
        DELETED,
        /** Teardown looked for it and it was not there. */
        ABSENT,
        /** Teardown detached, deactivated or otherwise changed it on the way to deleting it. */
        CHANGED
    }

    @Override
    public String toString() {
        return String.format("%-8s %-13s %s%s", outcome.name().toLowerCase(java.util.Locale.ROOT), resource, name,
                detail.isEmpty() ? "" : "  (" + detail + ")");
    }
}
