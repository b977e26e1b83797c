from fastapi import APIRouter

router = APIRouter(prefix="/plans", tags=["plans"])
