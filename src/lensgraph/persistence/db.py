"""Engine, sessions and the unit of work: one transaction, its events in the outbox."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
import orjson
from numpy.typing import NDArray
from sqlalchemy import event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm.exc import StaleDataError

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import Event
from lensgraph.domain.marketplace import hamming
from lensgraph.persistence.driver import DriverConnections
from lensgraph.persistence.models import OutboxEvent

# Connections a process keeps open to PostgreSQL: enough for every request in flight to hold one. Past the pool
# (plus the overflow, opened and closed per use), requests wait for one: a new connection per request would cost
# more than the query (a TCP and TLS handshake, authentication, a fresh statement cache).
POOL_SIZE = 20
POOL_OVERFLOW = 10


def create_engine(url: str, *, pool_size: int = POOL_SIZE) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, json_deserializer=orjson.loads)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping: it is a round trip before every checkout. A connection the server dropped fails its statement
    # once, and SQLAlchemy then discards every pooled connection made before it.
    return create_async_engine(url, json_deserializer=orjson.loads, pool_size=pool_size, max_overflow=POOL_OVERFLOW)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # PostgreSQL counts the bits itself (bit_count); SQLite is taught the domain's own count.
    dbapi_connection.create_function(PHASH_DISTANCE, 2, _phash_distance, deterministic=True)
    # Embeddings (persistence/embeddings.py) are compared by sqlite-vec's function. This Python's sqlite3 may be
    # built without loadable extensions (enable_load_extension missing): then the same function, in Python.
    if not _load_sqlite_vec(dbapi_connection):
        dbapi_connection.create_function(VEC_DISTANCE_COSINE, 2, _vec_distance_cosine, deterministic=True)


VEC_DISTANCE_COSINE = "vec_distance_cosine"


def _load_sqlite_vec(dbapi_connection: Any) -> bool:
    """Loads sqlite-vec into the connection where both the package and extension loading are available."""
    if not hasattr(sqlite3.Connection, "enable_load_extension"):
        return False
    try:
        import sqlite_vec  # the ai extra
    except ImportError:
        return False
    raw = dbapi_connection.driver_connection  # aiosqlite's connection: its calls run on its own thread
    try:
        dbapi_connection.await_(raw.enable_load_extension(True))
        dbapi_connection.await_(raw.load_extension(sqlite_vec.loadable_path()))
        dbapi_connection.await_(raw.enable_load_extension(False))
    except (AttributeError, sqlite3.Error):
        return False
    return True


def _vec_distance_cosine(first: bytes | None, second: bytes | None) -> float | None:
    """sqlite-vec's ``vec_distance_cosine`` over float32 BLOBs: 1 - cosine similarity. The second argument is
    the query's vector, the same for every row of a search: decoded once."""
    if first is None or second is None or len(first) != len(second) or not first:
        return None
    left = np.frombuffer(first, dtype="<f4")
    right, right_norm = _decoded(second)
    norms = float(np.sqrt(left.dot(left))) * right_norm
    if norms == 0.0:
        return None
    return 1.0 - float(left.dot(right)) / norms


@lru_cache(maxsize=16)
def _decoded(blob: bytes) -> tuple[NDArray[np.float32], float]:
    vector = np.frombuffer(blob, dtype="<f4")
    return vector, float(np.sqrt(vector.dot(vector)))


PHASH_DISTANCE = "phash_distance"


def _phash_distance(first: str | None, second: str | None) -> int | None:
    if not first or not second or len(first) != len(second):
        return None
    try:
        return hamming(first, second)
    except ValueError:
        return None


# PostgreSQL's serialization failure, deadlock and lock-not-available: the transaction lost to a concurrent one.
# SQLSTATE class 23, integrity constraint violation: unique, foreign key, check, not null.
INTEGRITY_SQLSTATE_CLASS = "23"
CONTENTION_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def is_contention(error: DBAPIError) -> bool:
    """A concurrent transaction held what this one needed (SQLite's write lock past its busy timeout, a
    PostgreSQL deadlock): the request lost a race and may be retried; nothing is wrong with it or with us."""
    orig = error.orig
    if getattr(orig, "sqlstate", None) in CONTENTION_SQLSTATES or getattr(orig, "pgcode", None) in CONTENTION_SQLSTATES:
        return True
    return "database is locked" in str(orig)


class ConstraintViolation(Exception):
    """A unique or foreign key constraint refused the transaction: another request got there first."""


class UnitOfWork:
    """A session in a transaction; ``emit`` appends events to the outbox in that same transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.emitted = False

    def emit(self, *events: Event) -> None:
        self.emitted = self.emitted or bool(events)
        for item in events:
            self.session.add(
                OutboxEvent(
                    type=item.type,
                    payload=item.payload(),
                    audience=[str(user_id) for user_id in item.audience],
                )
            )


class Database:
    def __init__(self, url: str, *, pool_size: int = POOL_SIZE) -> None:
        self.url = url
        self.pool_size = pool_size
        self.engine = create_engine(url, pool_size=pool_size)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # PostgreSQL only: asyncpg connections of their own, for single statements (``fetch``, ``write_alone``).
        self._driver: DriverConnections | None = None
        # Set by the outbox relay of this process, to dispatch right after a commit that wrote events.
        self.on_events: Callable[[], None] | None = None

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``: for the few statements the two write differently."""
        return self.engine.dialect.name

    @property
    def sql_dialect(self) -> Dialect:
        return self.engine.dialect

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A read session, closed at the end of the block."""
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """A connection for Core reads of one statement each, outside any transaction on PostgreSQL (autocommit:
        no BEGIN and ROLLBACK around a single statement, which is consistent by itself)."""
        async with self.engine.connect() as connection:
            if self.dialect == "postgresql":
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """Commits when the block ends normally, rolls back everything when it raises.

        A constraint violation (at a flush inside the block or at commit) becomes ``ConstraintViolation``;
        a row whose ``version`` moved since it was read (a concurrent write won), or a lock a concurrent
        transaction held too long, becomes ``CONFLICT``.
        """
        async with self.sessions() as session:
            try:
                async with session.begin():
                    uow = UnitOfWork(session)
                    yield uow
            except IntegrityError as exc:
                raise ConstraintViolation(str(exc.orig)) from exc
            except StaleDataError as exc:
                raise DomainError(
                    ErrorCode.CONFLICT, "Someone changed this at the same moment: load it again and retry."
                ) from exc
            except DBAPIError as exc:
                if not is_contention(exc):
                    raise
                raise DomainError(ErrorCode.CONFLICT, "The server was busy with a concurrent change: retry.") from exc
            if uow.emitted and self.on_events is not None:
                self.on_events()

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def fetch(self, sql: str, arguments: Sequence[Any]) -> Sequence[Sequence[Any]]:
        """The records of one PostgreSQL statement in the driver's own words (``$n`` parameters), outside any
        transaction: a single statement is consistent by itself.

        Straight through the driver's own connections (``persistence/driver.py``): checking out a SQLAlchemy
        connection, setting it to autocommit and wrapping its result cost more than a small read's round trip.
        Through SQLAlchemy where ``statements_go_to_the_driver`` says not."""
        if not self.statements_go_to_the_driver():
            async with self.connection() as connection:
                return (await connection.exec_driver_sql(sql, tuple(arguments))).all()
        return await self._driver_connections().fetch(sql, arguments)

    def statements_go_to_the_driver(self) -> bool:
        """Whether single statements go straight to the driver's own connections: on PostgreSQL, unless something
        listens to the engine's statements (a tracer, the tests' statement counts), which must then see them all."""
        dispatch = self.engine.sync_engine.dispatch
        return self.dialect == "postgresql" and not (dispatch.before_cursor_execute or dispatch.after_cursor_execute)

    async def write_alone(self, sql: str, arguments: Sequence[Any]) -> None:
        """One PostgreSQL write statement (``$n`` parameters) as a transaction of its own, straight through the
        driver's own connections: one round trip, no BEGIN and COMMIT around a statement that is atomic by itself. Only
        where ``statements_go_to_the_driver``; a unique or foreign key refusal becomes ``ConstraintViolation``."""
        try:
            await self._driver_connections().execute(sql, arguments)
        except Exception as exc:
            if str(getattr(exc, "sqlstate", "")).startswith(INTEGRITY_SQLSTATE_CLASS):
                raise ConstraintViolation(str(exc)) from exc
            raise

    def _driver_connections(self) -> DriverConnections:
        if self._driver is None:
            # The connection SQLAlchemy would open, without the options only its adapter knows.
            _args, options = self.engine.dialect.create_connect_args(self.engine.url)
            for adapter_option in ("prepared_statement_cache_size", "prepared_statement_name_func"):
                options.pop(adapter_option, None)

            async def connect() -> Any:
                import asyncpg  # type: ignore[import-untyped]  # installed wherever a PostgreSQL URL is used

                connection = await asyncpg.connect(**options)
                await _driver_codecs(connection)
                return connection

            self._driver = DriverConnections(connect, self.pool_size)
        return self._driver

    async def dispose(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None:
            await driver.close()
        await self.engine.dispose()


async def _driver_codecs(connection: Any) -> None:
    """JSON decoded as SQLAlchemy's asyncpg dialect decodes it, so both ways give a statement the same values."""
    await connection.set_type_codec(
        "json", encoder=str.encode, decoder=orjson.loads, schema="pg_catalog", format="binary"
    )
    await connection.set_type_codec(
        "jsonb",
        encoder=lambda value: b"\x01" + value.encode(),
        decoder=lambda value: orjson.loads(value[1:]),  # after jsonb's version byte
        schema="pg_catalog",
        format="binary",
    )


class SessionSource(Protocol):
    """Where read sessions come from: the database (one each), or a query's shared reads (one for all)."""

    def session(self) -> AbstractAsyncContextManager[AsyncSession]: ...

    def connection(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """For Core reads (plain rows, no ORM objects): the compiled read path's."""
        ...

    async def fetch(self, sql: str, arguments: Sequence[Any]) -> Sequence[Sequence[Any]]:
        """A PostgreSQL statement's records, run as it is written (the compiled read path's prepared ones)."""
        ...

    @property
    def sql_dialect(self) -> Dialect: ...


class SharedReads:
    """One read session for a whole query operation: its dataloaders' batches take turns on one connection, in one
    transaction (read-only on PostgreSQL), instead of checking out a connection and opening a transaction each.
    Opened at the first batch, closed when the operation ends (``close``)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._session: AsyncSession | None = None
        self._closed = False
        # An AsyncSession serves one statement at a time; batches of different loaders may be due together.
        self._turn = asyncio.Lock()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._turn:
            if self._closed:
                # A batch that was waiting its turn when the operation ended: a session of its own, closed after it.
                async with self._db.session() as own:
                    yield own
                return
            if self._session is None:
                self._session = self._db.sessions()
                if self._db.dialect == "postgresql":
                    await self._session.connection(execution_options={"postgresql_readonly": True})
            try:
                yield self._session
            except BaseException:
                # A failed statement ends a PostgreSQL transaction: the next batch starts afresh.
                await self._discard()
                raise

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """The shared session's connection, in its transaction."""
        async with self.session() as session:
            yield await session.connection()

    async def fetch(self, sql: str, arguments: Sequence[Any]) -> Sequence[Sequence[Any]]:
        """In the shared transaction, so the statement reads the same snapshot as the operation's others."""
        async with self.connection() as connection:
            return (await connection.exec_driver_sql(sql, tuple(arguments))).all()

    @property
    def sql_dialect(self) -> Dialect:
        return self._db.sql_dialect

    async def close(self) -> None:
        async with self._turn:
            self._closed = True
            await self._discard()

    async def _discard(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()
