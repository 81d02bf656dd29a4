from collections.abc import Iterable

from .db import BaseRepository
from .schemas import ApiKey, CycleCount, Product, StockLevel, Warehouse


def stock_key(warehouse: str, sku: str) -> str:
    return f"{warehouse}#{sku}"


class ProductRepository(BaseRepository[Product]):
    table_setting = "products_table"
    model = Product

    def put_many(self, items: Iterable[dict]) -> int:
        written = 0
        with self.table.batch_writer(overwrite_by_pkeys=["sku"]) as batch:
            for item in items:
                batch.put_item(Item=item)
                written += 1
        return written


class WarehouseRepository(BaseRepository[Warehouse]):
    table_setting = "warehouses_table"
    model = Warehouse


class StockRepository(BaseRepository[StockLevel]):
    table_setting = "stock_table"
    model = StockLevel


class CountRepository(BaseRepository[CycleCount]):
    table_setting = "counts_table"
    model = CycleCount


class ApiKeyRepository(BaseRepository[ApiKey]):
    table_setting = "api_keys_table"
    model = ApiKey
