-- The case store: who did what to whom.
-- Applied by dashboard.db.create_schema on an empty database. Vocabularies are
-- tables with stable codes; facts reference them by code. Modelled on HURIDOCS'
-- Events Standard Formats: an incident holds acts; an act has one victim, one
-- violation type and one or more perpetrators, each with a degree of involvement.

create table if not exists violation_types (
    code varchar primary key,
    label varchar not null,
    parent_code varchar,
    sdg_16_10_1_category varchar,
    fld_category varchar,
    description varchar
);
create table if not exists sdg_categories (code varchar primary key, label varchar not null);
create table if not exists actor_types (code varchar primary key, label varchar not null, parent_code varchar);
create table if not exists involvement_degrees (code varchar primary key, label varchar not null, description varchar);
create table if not exists sectors (code varchar primary key, label varchar not null, parent_code varchar);
create table if not exists genders (code varchar primary key, label varchar not null);
create table if not exists visibilities (code varchar primary key, label varchar not null, description varchar);
create table if not exists date_precisions (code varchar primary key, label varchar not null);

create table if not exists countries (
    country_code varchar primary key,   -- ISO 3166-1 alpha-3
    iso2 varchar,
    name varchar not null,
    region varchar,                     -- continent, e.g. Asia
    subregion varchar                   -- UN region, e.g. Central Asia
);

create table if not exists sources (
    source_id bigint primary key,
    publisher varchar not null,
    title varchar not null,
    published_date date,
    url varchar,
    note varchar
);

create table if not exists imports (
    import_id bigint primary key,
    file_name varchar not null,
    file_sha256 varchar not null,
    mapping_name varchar,
    imported_at timestamp not null,
    rows_read integer,
    incidents_added integer,
    incidents_updated integer,
    rows_rejected integer,
    is_undone boolean not null default false
);

create table if not exists incidents (
    incident_id bigint primary key,
    source_key varchar unique,          -- stable key from the source (for idempotent imports)
    title varchar not null,
    start_date date,
    end_date date,
    date_precision varchar not null default 'day',
    country_code varchar not null,
    place varchar,
    summary varchar,
    visibility varchar not null default 'public',
    is_synthetic boolean not null default false,
    import_id bigint,
    row_hash varchar,
    updated_at timestamp
);

create table if not exists incident_sources (
    incident_id bigint not null,
    source_id bigint not null,
    primary key (incident_id, source_id)
);

create table if not exists defenders (
    defender_id bigint primary key,
    name varchar not null,
    kind varchar not null,              -- person | organisation | group
    gender_code varchar not null default 'unknown',
    country_code varchar,
    organisation_id bigint,             -- the organisation a person belongs to, if known
    is_name_public boolean not null default false,
    visibility varchar not null default 'public',
    is_synthetic boolean not null default false,
    description varchar
);

create table if not exists defender_sectors (
    defender_id bigint not null,
    sector_code varchar not null,
    primary key (defender_id, sector_code)
);

create table if not exists actors (
    actor_id bigint primary key,
    name varchar not null,
    actor_type_code varchar not null,
    is_synthetic boolean not null default false,
    description varchar
);

create table if not exists acts (
    act_id bigint primary key,
    incident_id bigint not null,
    violation_code varchar not null,
    act_date date,
    date_precision varchar not null default 'day',
    victim_defender_id bigint,
    description varchar,
    is_synthetic boolean not null default false
);

create table if not exists act_perpetrators (
    act_id bigint not null,
    actor_id bigint not null,
    involvement_code varchar not null default 'carried_out',
    note varchar,
    primary key (act_id, actor_id)
);

create table if not exists published_figures (
    publisher varchar, report varchar, year integer, country varchar,
    metric varchar, value integer, definition varchar, cited_via varchar
);

create table if not exists metadata (key varchar primary key, value varchar);

create sequence if not exists audit_seq start 1;
create table if not exists audit_log (
    audit_id bigint primary key,
    logged_at timestamp not null,
    username varchar not null,
    action varchar not null,            -- sign_in, sign_in_failed, export, edit, import, report
    target varchar,
    filters varchar,                    -- JSON
    row_count bigint,
    before varchar,                     -- JSON (edits)
    after varchar                       -- JSON (edits)
);
