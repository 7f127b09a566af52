package dev.signagefleet.builder.build;

import java.time.Instant;

/** A slide as it goes into a package (the active version, as written in its upload). */
public record Slide(String slideId, String title, String body, String imageUrl, int durationSec, Instant startAt,
                    Instant endAt, int priority) {
}
