package dev.signagefleet.builder.version;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of a group's content package: {@code {group}@{n}}, where {@code n} only ever
 * increases for a group, so a terminal (and an operator) can tell newer from older by comparing.
 */
public record ContentVersion(String group, long number) implements Comparable<ContentVersion> {

    private static final Pattern FORMAT = Pattern.compile("^([A-Za-z0-9_-]{1,64})@([1-9][0-9]{0,17})$");

    public ContentVersion {
        Objects.requireNonNull(group, "group");
        if (number < 1) {
            throw new IllegalArgumentException("a content version number starts at 1");
        }
    }

    public static ContentVersion first(String group) {
        return new ContentVersion(group, 1);
    }

    public ContentVersion next() {
        return new ContentVersion(group, number + 1);
    }

    /** Parses {@code tokyo-east@42}; throws with the reason when the text is not a version. */
    public static ContentVersion parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a content version (expected group@number): '" + text + "'");
        }
        return new ContentVersion(m.group(1), Long.parseLong(m.group(2)));
    }

    @Override
    public String toString() {
        return group + "@" + number;
    }

    /** Orders versions of the same group; versions of different groups are not comparable. */
    @Override
    public int compareTo(ContentVersion other) {
        if (!group.equals(other.group)) {
            throw new IllegalArgumentException("versions of different groups: " + this + " and " + other);
        }
        return Long.compare(number, other.number);
    }
}
