-- content-builder: the packages it built, one version line per group.
CREATE TABLE content_builds (
    group_name      text NOT NULL,
    version_number  bigint NOT NULL CHECK (version_number > 0),
    upload_id       uuid,
    sha256          text NOT NULL,
    size_bytes      bigint NOT NULL,
    slide_count     integer NOT NULL,
    built_at        timestamptz NOT NULL,
    PRIMARY KEY (group_name, version_number)
);

-- content-registry: content versions it registered and delivered, and the current one per group.
CREATE TABLE content_versions (
    group_name      text NOT NULL,
    version_number  bigint NOT NULL,
    sha256          text NOT NULL,
    size_bytes      bigint NOT NULL,
    slide_count     integer NOT NULL,
    upload_id       uuid,
    correlation_id  text,
    registered_at   timestamptz NOT NULL,
    PRIMARY KEY (group_name, version_number)
);

CREATE TABLE current_content (
    group_name      text PRIMARY KEY,
    version_number  bigint NOT NULL,
    version         text NOT NULL,
    registered_at   timestamptz NOT NULL
);
