from fastapi import APIRouter

router = APIRouter(prefix="/commitments", tags=["commitments"])
